import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Result, fail, ok } from '../../libs/workflow/workflow-errors';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { ServicePoints } from '../metering/service-points.service';
import { Language, translate } from '../web/i18n';
import { E_INVOICE_KIND, EInvoicePayload, eInvoiceSubject } from './e-invoice.kind';
import { AlreadyInReview, retryingReplaced, submitReplacingUnreviewed } from './one-open-request';

export type EInvoiceError =
  | { code: 'service_point_not_found'; message: string }
  | { code: 'consent_required'; message: string }
  | { code: 'no_change'; message: string }
  | AlreadyInReview;

/** The consent text the customer agrees to when switching, in the language the page showed it. */
export function consentText(language: Language, optIn: boolean): string {
  return translate(language, optIn ? 'profile.eInvoice.consentOn' : 'profile.eInvoice.consentOff');
}

/**
 * E-invoice per service point (Elektronikus számla): opting in or out is an `e_invoice`
 * request a clerk approves; it records the consent's text and time. Opting in needs the
 * customer's explicit consent. A new switch replaces the service point's unreviewed one.
 */
@Injectable()
export class EInvoiceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly servicePoints: ServicePoints,
  ) {}

  async request(
    companyId: number,
    customerId: number,
    input: { servicePointId: number; optIn: boolean; consent: boolean; language: Language },
  ): Promise<Result<{ requestId: number; version: number; replacedRequestId: number | null }, EInvoiceError>> {
    const point = await this.servicePoints.find(companyId, customerId, input.servicePointId);
    if (!point) return fail({ code: 'service_point_not_found', message: 'No such service point of yours' });
    if (input.optIn && !input.consent) return fail({ code: 'consent_required', message: 'Opting in to e-invoices needs your consent' });
    const subjectRef = eInvoiceSubject(point.id).subjectRef;
    const open: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM requests WHERE company_id = $1 AND customer_id = $2 AND kind = $3 AND subject_ref = $4 AND state = 'submitted'`,
      [companyId, customerId, E_INVOICE_KIND, subjectRef],
    );
    // Switching back to what the service point already has is only meaningful as a replacement of an open request.
    if (point.eInvoice === input.optIn && open.length === 0) {
      return fail({ code: 'no_change', message: input.optIn ? 'E-invoice is already on' : 'E-invoice is already off' });
    }
    const payload: EInvoicePayload = {
      servicePointId: point.id,
      address: point.address,
      optIn: input.optIn,
      consentText: consentText(input.language, input.optIn),
      consentedAt: new Date().toISOString(),
    };
    const created = await retryingReplaced(() =>
      this.dataSource.transaction((manager) =>
        submitReplacingUnreviewed(manager, this.engine, { companyId, customerId, kind: E_INVOICE_KIND, subjectRef, payload }),
      ),
    );
    return created.ok ? ok(created.value) : created;
  }
}
