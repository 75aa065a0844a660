import { EntityManager } from 'typeorm';
import { addToOutbox } from '../../libs/outbox/outbox';
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
 * Applies an approved reading: it joins the billable readings with kind
 * 'customer' and is queued for export to the billing back office. The unique
 * readings.request_id makes a second run insert nothing and queue nothing.
 */
export async function applyReading(manager: EntityManager, request: WorkflowRequest): Promise<void> {
  const payload = request.payload as ReadingPayload;
  const rows: Array<{ id: string }> = await manager.query(
    `INSERT INTO readings (company_id, meter_id, read_on, value, kind, billable, request_id)
     VALUES ($1, $2, $3, $4::numeric, 'customer', true, $5)
     ON CONFLICT (request_id) WHERE request_id IS NOT NULL DO NOTHING RETURNING id`,
    [request.companyId, payload.meterId, payload.readOn, payload.value, request.id],
  );
  if (rows.length > 0) await addToOutbox(manager, JOBS.exportReading, { readingId: Number(rows[0].id) }, request.companyId);
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
  apply: applyReading,
};
