import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { addToOutbox } from '../../libs/outbox/outbox';
import { WorkflowRequest } from '../../libs/workflow/request-workflow';
import { DecisionEmail, DecisionOutcome, RequestKinds, RequestLine } from '../approval/request-kind';
import { JOBS } from '../jobs';
import { ServicePoints } from '../metering/service-points.service';
import { Language, translate } from '../web/i18n';
import {
  E_INVOICE_ANSWER_DAYS,
  E_INVOICE_KIND,
  E_INVOICE_MACHINE_VERSION,
  EInvoicePayload,
  eInvoiceMachine,
  eInvoiceSubject,
} from './e-invoice.kind';

/**
 * The e-invoice opt-in or opt-out of a service point as approval shows and decides it.
 * Applying switches the service point's delivery (service_points.e_invoice, which the
 * invoices pages read), records the consent in e_invoice_consents (text and time, for
 * the audit trail) and queues the change for the billing back office, in the
 * transaction that records APPLIED; a second run finds the consent row and changes nothing.
 */
@Injectable()
export class EInvoiceReview implements OnModuleInit {
  constructor(
    private readonly kinds: RequestKinds,
    private readonly servicePoints: ServicePoints,
  ) {}

  onModuleInit(): void {
    this.kinds.register({
      kind: E_INVOICE_KIND,
      machineVersion: E_INVOICE_MACHINE_VERSION,
      machine: eInvoiceMachine,
      subject: (_customerId, payload) => eInvoiceSubject((payload as EInvoicePayload).servicePointId),
      answerDays: E_INVOICE_ANSWER_DAYS,
      effects: { approved: [JOBS.applyRequest] },
      apply: (manager, request) => this.apply(manager, request),
      labelKey: 'profile.kind.e_invoice',
      bulkApprovable: false,
      lines: async (_companyId, requests, lang) => new Map(requests.map((request) => [request.id, this.line(request, lang)])),
      clerkDetail: async (_companyId, request, lang) => ({
        partial: 'profile/e-invoice-request',
        model: { ...(request.payload as EInvoicePayload), summary: this.summary(request.payload as EInvoicePayload, lang) },
      }),
      customerView: (request, lang) => ({
        summary: this.summary(request.payload as EInvoicePayload, lang),
        details: { servicePointId: (request.payload as EInvoicePayload).servicePointId, optIn: (request.payload as EInvoicePayload).optIn },
      }),
      // The switch decides how invoices arrive: the customer hears under the invoice topic.
      decisionTopic: 'invoice_issued',
      decisionEmail: async (_companyId, request, outcome, lang) => this.decisionEmail(request, outcome, lang),
    });
  }

  async apply(manager: EntityManager, request: WorkflowRequest): Promise<void> {
    const payload = request.payload as EInvoicePayload;
    const recorded: unknown[] = await manager.query(
      `INSERT INTO e_invoice_consents (company_id, customer_id, service_point_id, request_id, opted_in, consent_text, consented_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (company_id, request_id) DO NOTHING RETURNING id`,
      [request.companyId, request.customerId, payload.servicePointId, request.id, payload.optIn, payload.consentText, payload.consentedAt],
    );
    if (recorded.length === 0) return;
    const switched = await this.servicePoints.setEInvoice(
      manager,
      request.companyId,
      request.customerId,
      payload.servicePointId,
      payload.optIn,
    );
    if (!switched) throw new Error(`Service point ${payload.servicePointId} is no longer the customer's`);
    await addToOutbox(
      manager,
      JOBS.exportCustomerChange,
      { companyId: request.companyId, requestId: request.id, kind: E_INVOICE_KIND },
      request.companyId,
    );
  }

  decisionEmail(request: WorkflowRequest, outcome: DecisionOutcome, lang: Language): DecisionEmail {
    const payload = request.payload as EInvoicePayload;
    return {
      subject: translate(lang, `profile.decision.e_invoice.subject.${outcome}`),
      summary: translate(lang, payload.optIn ? 'profile.decision.e_invoice.summaryOn' : 'profile.decision.e_invoice.summaryOff', {
        address: payload.address,
      }),
      link: { path: '/profile', label: translate(lang, 'profile.decision.link') },
    };
  }

  private summary(payload: EInvoicePayload, lang: Language): string {
    return translate(lang, payload.optIn ? 'profile.eInvoice.summaryOn' : 'profile.eInvoice.summaryOff', { address: payload.address });
  }

  private line(request: WorkflowRequest, lang: Language): RequestLine {
    const payload = request.payload as EInvoicePayload;
    return {
      summary: this.summary(payload, lang),
      hints: [],
      details: { servicePointId: payload.servicePointId, optIn: payload.optIn, consentedAt: payload.consentedAt },
      hintData: [],
    };
  }
}
