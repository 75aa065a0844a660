import { Injectable, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { addToOutbox } from '../../libs/outbox/outbox';
import { WorkflowRequest } from '../../libs/workflow/request-workflow';
import { DecisionEmail, DecisionOutcome, RequestKinds, RequestLine, RequestPartial } from '../approval/request-kind';
import { CustomerData, CustomerDataField, CustomerRecords } from '../identity/customer-records.service';
import { JOBS } from '../jobs';
import { Language, translate } from '../web/i18n';
import { orderedFields } from './customer-data-rules';
import {
  DATA_CHANGE_ANSWER_DAYS,
  DATA_CHANGE_KIND,
  DATA_CHANGE_MACHINE_VERSION,
  DataChangePayload,
  dataChangeMachine,
  dataChangeSubject,
} from './data-change.kind';

/** A field's value as the clerk and the customer read it: payment methods by name, an empty value as a dash. */
export function fieldValue(lang: Language, field: CustomerDataField, value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–';
  return field === 'paymentMethod' ? translate(lang, `profile.paymentMethod.${value}`) : value;
}

const changedFields = (payload: DataChangePayload) => orderedFields(payload.changes);

/** Each changing field as "Telefonszám: – → +36 30 123 4567", joined by semicolons. */
const changeList = (lang: Language, payload: DataChangePayload): string =>
  changedFields(payload)
    .map(
      (field) =>
        `${translate(lang, `profile.field.${field}`)}: ${fieldValue(lang, field, payload.changes[field]!.from)} → ${fieldValue(lang, field, payload.changes[field]!.to)}`,
    )
    .join('; ');

/**
 * The data change as approval shows and decides it: old → new per field, and what
 * changed in the customer record since submission (a hint, and beside the diff). Never
 * approved in bulk. Applying writes the new values and queues the change for the
 * billing back office's export, in the transaction that records APPLIED.
 */
@Injectable()
export class DataChangeReview implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly kinds: RequestKinds,
    private readonly customers: CustomerRecords,
  ) {}

  onModuleInit(): void {
    this.kinds.register({
      kind: DATA_CHANGE_KIND,
      machineVersion: DATA_CHANGE_MACHINE_VERSION,
      machine: dataChangeMachine,
      subject: (customerId) => dataChangeSubject(customerId),
      answerDays: DATA_CHANGE_ANSWER_DAYS,
      effects: { approved: [JOBS.applyRequest] },
      apply: (manager, request) => this.apply(manager, request),
      labelKey: 'profile.kind.data_change',
      bulkApprovable: false,
      lines: (companyId, requests, lang) => this.lines(companyId, requests, lang),
      clerkDetail: (companyId, request, lang) => this.clerkDetail(companyId, request, lang),
      customerView: (request, lang) => ({
        summary: translate(lang, 'profile.request.dataChange', {
          fields: changedFields(request.payload as DataChangePayload)
            .map((field) => translate(lang, `profile.field.${field}`))
            .join(', '),
        }),
        details: { changes: (request.payload as DataChangePayload).changes },
      }),
      // Ügyféladatok changes are the customer's contact and address data: the "Címváltozás" switch.
      decisionTopic: 'address_changed',
      decisionEmail: async (_companyId, request, outcome, lang) => this.decisionEmail(request, outcome, lang),
    });
  }

  /** The new values, once; the export row only when the record really changed (a second run changes nothing). */
  async apply(manager: EntityManager, request: WorkflowRequest): Promise<void> {
    const payload = request.payload as DataChangePayload;
    const values = Object.fromEntries(changedFields(payload).map((field) => [field, payload.changes[field]!.to])) as Partial<CustomerData>;
    const changed = await this.customers.apply(manager, request.companyId, request.customerId, values);
    if (changed) {
      await addToOutbox(
        manager,
        JOBS.exportCustomerChange,
        { companyId: request.companyId, requestId: request.id, kind: DATA_CHANGE_KIND },
        request.companyId,
      );
    }
  }

  decisionEmail(request: WorkflowRequest, outcome: DecisionOutcome, lang: Language): DecisionEmail {
    const payload = request.payload as DataChangePayload;
    return {
      subject: translate(lang, `profile.decision.data_change.subject.${outcome}`),
      summary: translate(lang, 'profile.decision.data_change.summary', {
        changes: changeList(lang, payload),
      }),
      link: { path: '/profile', label: translate(lang, 'profile.decision.link') },
    };
  }

  async lines(companyId: number, requests: readonly WorkflowRequest[], lang: Language): Promise<Map<number, RequestLine>> {
    const current = await this.customers.readMany(
      this.dataSource.manager,
      companyId,
      requests.map((r) => r.customerId),
    );
    return new Map(
      requests.map((request) => {
        const payload = request.payload as DataChangePayload;
        const now = current.get(request.customerId);
        const moved = now ? this.movedFields(payload, now) : [];
        return [
          request.id,
          {
            summary: changeList(lang, payload),
            hints: moved.map((field) => ({
              label: translate(lang, 'profile.review.movedMeanwhile', { field: translate(lang, `profile.field.${field}`) }),
              explanation: translate(lang, 'profile.review.now', { value: fieldValue(lang, field, now?.[field]) }),
            })),
            details: { changes: payload.changes, emailConfirmedAt: payload.emailConfirmedAt },
            hintData: moved.map((field) => ({ code: 'changed_meanwhile', field, now: now?.[field] ?? null })),
          },
        ];
      }),
    );
  }

  async clerkDetail(companyId: number, request: WorkflowRequest, lang: Language): Promise<RequestPartial> {
    const payload = request.payload as DataChangePayload;
    const now = await this.customers.read(this.dataSource.manager, companyId, request.customerId);
    const moved = now ? this.movedFields(payload, now) : [];
    return {
      partial: 'profile/data-change-request',
      model: {
        rows: changedFields(payload).map((field) => ({
          field: translate(lang, `profile.field.${field}`),
          from: fieldValue(lang, field, payload.changes[field]!.from),
          to: fieldValue(lang, field, payload.changes[field]!.to),
          now: fieldValue(lang, field, now?.[field]),
          moved: moved.includes(field),
        })),
        emailConfirmedAt: payload.emailConfirmedAt,
      },
    };
  }

  /** The fields whose value in the record is no longer the one the customer saw when submitting. */
  private movedFields(payload: DataChangePayload, now: CustomerData): CustomerDataField[] {
    return changedFields(payload).filter((field) => (now[field] ?? null) !== (payload.changes[field]!.from ?? null));
  }
}
