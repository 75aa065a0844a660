import { EntityManager } from 'typeorm';
import { JobRef } from '../queue/job-registry';

/** What a job receives: ids only, never personal data (Redis is not the record). */
export type OutboxPayload = Record<string, string | number | boolean | null>;

/**
 * Records work that must happen after the caller's transaction commits. Call it
 * with the transaction's manager, so the work exists exactly when the change does.
 */
export async function addToOutbox(manager: EntityManager, job: JobRef, payload: OutboxPayload, companyId: number | null): Promise<number> {
  const rows: Array<{ id: string }> = await manager.query(
    `INSERT INTO outbox (company_id, queue, job_name, payload) VALUES ($1, $2, $3, $4) RETURNING id`,
    [companyId, job.queue, job.name, payload],
  );
  return Number(rows[0].id);
}

/** BullMQ job id of an outbox row: adding the same row twice adds one job. */
export function outboxJobId(outboxId: number): string {
  return `outbox-${outboxId}`;
}
