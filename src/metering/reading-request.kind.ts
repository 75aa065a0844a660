import { EntityManager } from 'typeorm';
import { addToOutbox } from '../../libs/outbox/outbox';
import { preparedQuery } from '../../libs/typeorm/prepared-query';
import { RequestKind, WorkflowRequest } from '../../libs/workflow/request-workflow';
import { JOBS } from '../jobs';
import { READING_MACHINE_VERSION, readingMachine } from './reading.machine';

export const READING_KIND = 'meter_reading';

/**
 * A plausibility hint as stored in a request: a Hint of reading-rules (code, English
 * message and its numbers). Requests stored before the numbers were kept have only
 * `code` and `message`, so readers check a number is there before using it.
 */
export type StoredHint = { code: string; message: string; [param: string]: unknown };

/** What a reading request carries; `value` is the decimal as text, exactly as validated. */
export interface ReadingPayload {
  meterId: number;
  value: string;
  readOn: string;
  replacement: boolean;
  windowId: number;
  /** The plausibility hints at submission, for the clerk. */
  hints: StoredHint[];
  consumption: number | null;
  [key: string]: unknown;
}

export const meterSubject = (meterId: number) => `meter:${meterId}`;

/** At most one live reading per meter and reading window (the migration RequestLiveKey backfills this shape). */
export const readingLiveKey = (meterId: number, windowId: number) => `${meterSubject(meterId)}:window:${windowId}`;

/**
 * Applies approved readings of one company: each joins the billable readings with
 * kind 'customer' and is queued for export to the billing back office, in one
 * statement for all. The unique readings.request_id makes a second run insert
 * nothing and queue nothing.
 */
export async function applyReadings(manager: EntityManager, requests: readonly WorkflowRequest[]): Promise<void> {
  if (requests.length === 0) return;
  const companyId = requests[0].companyId;
  if (requests.some((request) => request.companyId !== companyId)) throw new Error('applyReadings applies the readings of one company');
  const payloads = requests.map((request) => request.payload as ReadingPayload);
  const inserted = await preparedQuery<{ id: string }>(
    manager,
    'metering-apply-readings',
    `INSERT INTO readings (company_id, meter_id, read_on, value, kind, billable, request_id)
     SELECT $1, r.meter_id, r.read_on, r.value::numeric, 'customer', true, r.request_id
       FROM unnest($2::bigint[], $3::bigint[], $4::date[], $5::text[]) AS r(request_id, meter_id, read_on, value)
      ORDER BY r.request_id
     ON CONFLICT (request_id) WHERE request_id IS NOT NULL DO NOTHING
     RETURNING id`,
    [
      companyId,
      requests.map((request) => request.id),
      payloads.map((payload) => payload.meterId),
      payloads.map((payload) => payload.readOn),
      payloads.map((payload) => payload.value),
    ],
  );
  if (inserted.length > 0) {
    // One export job for the batch's readings (its consumer takes `readingIds`), not one each.
    await addToOutbox(manager, JOBS.exportReading, { readingIds: inserted.map((row) => Number(row.id)) }, companyId);
  }
}

/** The engine's part of the meter reading kind; ReadingReview adds how approval shows it and registers both. */
export const readingRequestKind: RequestKind = {
  kind: READING_KIND,
  machineVersion: READING_MACHINE_VERSION,
  machine: readingMachine,
  subject: (_customerId, payload) => {
    const { meterId, windowId } = payload as ReadingPayload;
    return { subjectRef: meterSubject(meterId), liveKey: readingLiveKey(meterId, windowId) };
  },
  // Readings are billed monthly: a clerk checks them within the working week.
  answerDays: 5,
  // Approval adds the customer's decision e-mails (approved, rejected, applied) to every kind's effects.
  effects: { approved: [JOBS.applyRequest] },
  apply: (manager, request) => applyReadings(manager, [request]),
  applyMany: applyReadings,
};
