import { DataSource, EntityManager } from 'typeorm';
import { JobBatcher } from '../queue/job-batcher';
import { JobRef } from '../queue/job-registry';
import { isTransientError } from '../queue/transient-error';
import { preparedQuery } from '../typeorm/prepared-query';

/** What a job receives: ids only (one, or a batch's list), never personal data (Redis is not the record). */
export type OutboxPayload = Record<string, string | number | boolean | null | readonly number[]>;

/**
 * The ids a job's payload names under `key`: a batch (`<key>s`, an array: one row
 * for many subjects, written set-based) or one (`<key>`, as rows from before batches).
 * Consumers read their subjects through this, so a lone subject is a batch of one.
 */
export function payloadIds(data: Readonly<Record<string, unknown>>, key: string): number[] {
  const many = data[`${key}s`];
  const values = Array.isArray(many) ? (many as unknown[]) : data[key] === undefined ? [] : [data[key]];
  return values.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
}

/** SQL: whether the outbox row's payload (`payloadIds`' shapes) names one of the ids in `ids` (a bigint[] parameter). */
export function payloadNamesAnyOf(key: string, ids: string, payload = 'payload'): string {
  return `(${payload} ? '${key}' AND (${payload}->>'${key}')::bigint = ANY(${ids}) OR
           EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN jsonb_typeof(${payload}->'${key}s') = 'array' THEN ${payload}->'${key}s' END) AS named(id)
                    WHERE named.id::bigint = ANY(${ids})))`;
}

/** A job relayed from the outbox: the relay adds the row id to its data. */
export interface OutboxJob {
  readonly data: { readonly outboxId?: unknown };
}

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

/** addToOutbox for many jobs of one kind in one statement, in the order given. */
export async function addManyToOutbox(
  manager: EntityManager,
  job: JobRef,
  payloads: readonly OutboxPayload[],
  companyId: number | null,
): Promise<number[]> {
  if (payloads.length === 0) return [];
  const rows: Array<{ id: string }> = await manager.query(
    `INSERT INTO outbox (company_id, queue, job_name, payload)
     SELECT $1, $2, $3, payload FROM unnest($4::jsonb[]) WITH ORDINALITY AS p(payload, position) ORDER BY position
     RETURNING id`,
    [companyId, job.queue, job.name, payloads.map((payload) => JSON.stringify(payload))],
  );
  return rows.map((row) => Number(row.id));
}

/** BullMQ job id of an outbox row: adding the same row twice adds one job. */
export function outboxJobId(outboxId: number): string {
  return `outbox-${outboxId}`;
}

/** The outbox row a job came from; undefined for a job not relayed from the outbox. */
export function outboxIdOf(job: OutboxJob): number | undefined {
  const id = job.data.outboxId;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

/**
 * Marks the job's outbox row done. Call it with the manager of the transaction that
 * commits the job's effect: the effect and "done" then commit together, and until
 * they do the relay re-sends the row (OUTBOX_RESEND_AFTER_MS). A job not relayed
 * from the outbox is left alone.
 */
export async function completeOutboxJob(manager: EntityManager, job: OutboxJob): Promise<void> {
  const outboxId = outboxIdOf(job);
  if (outboxId === undefined) return;
  await manager.query(`UPDATE outbox SET completed_at = now() WHERE id = $1 AND completed_at IS NULL`, [outboxId]);
}

/** completeOutboxJob for many jobs in one statement (the rows in id order, as concurrent batches lock them). */
export async function completeOutboxJobs(manager: EntityManager, jobs: readonly OutboxJob[]): Promise<void> {
  const ids = jobs.map(outboxIdOf).filter((id): id is number => id !== undefined);
  if (ids.length === 0) return;
  await manager.query(
    `UPDATE outbox SET completed_at = now()
      WHERE id IN (SELECT id FROM outbox WHERE id = ANY($1::bigint[]) AND completed_at IS NULL ORDER BY id FOR UPDATE)`,
    [ids],
  );
}

/**
 * Runs a job's effect at most once, in one transaction that first marks its outbox
 * row done: a duplicate or re-sent job waits on that row's lock, then finds it done
 * and does nothing (returns undefined). A job not relayed from the outbox always runs.
 * The one call a consumer whose effect is database work needs.
 */
export async function runOutboxJob<T>(
  dataSource: DataSource,
  job: OutboxJob,
  effect: (manager: EntityManager) => Promise<T>,
): Promise<T | undefined> {
  return dataSource.transaction(async (manager) => {
    const outboxId = outboxIdOf(job);
    if (outboxId !== undefined) {
      // Through pg, not manager.query: TypeORM answers an UPDATE with [rows, count], never an empty array.
      const claimed = await preparedQuery(
        manager,
        'outbox-claim',
        `UPDATE outbox SET completed_at = now() WHERE id = $1 AND completed_at IS NULL RETURNING id`,
        [outboxId],
      );
      if (claimed.length === 0) return undefined;
    }
    return effect(manager);
  });
}

/**
 * runOutboxJob for many jobs in one transaction (one commit), claiming their rows in
 * one statement: `effect` runs in turn for each job whose row was not done yet; a
 * job already done (a duplicate, a re-send) is answered undefined. An infrastructure
 * error is every job's (the queue retries each). Any other error may be one job's,
 * which must not fail the others: the batch is rolled back and each job runs on its
 * own with runOutboxJob. An outcome (or error) per job, in order.
 */
export async function runOutboxJobs<J extends OutboxJob, T>(
  dataSource: DataSource,
  jobs: readonly J[],
  effect: (manager: EntityManager, job: J) => Promise<T>,
): Promise<Array<PromiseSettledResult<T | undefined>>> {
  const alone = (job: J) =>
    runOutboxJob(dataSource, job, (manager) => effect(manager, job)).then(
      (value): PromiseSettledResult<T | undefined> => ({ status: 'fulfilled', value }),
      (reason: unknown): PromiseSettledResult<T | undefined> => ({ status: 'rejected', reason }),
    );
  if (jobs.length === 1) return [await alone(jobs[0])];
  try {
    return await dataSource.transaction(async (manager) => {
      const ids = jobs.map(outboxIdOf).filter((id): id is number => id !== undefined);
      const claimed = ids.length
        ? await preparedQuery<{ id: string }>(
            manager,
            'outbox-claim-many',
            `UPDATE outbox SET completed_at = now()
              WHERE id IN (SELECT id FROM outbox WHERE id = ANY($1::bigint[]) AND completed_at IS NULL ORDER BY id FOR UPDATE)
             RETURNING id`,
            [ids],
          )
        : [];
      const open = new Set(claimed.map((row) => Number(row.id)));
      const results: Array<PromiseSettledResult<T | undefined>> = [];
      for (const job of jobs) {
        const outboxId = outboxIdOf(job);
        // A job not from the outbox always runs; a row claimed once runs once, even if two jobs name it.
        const runs = outboxId === undefined || open.delete(outboxId);
        results.push({ status: 'fulfilled', value: runs ? await effect(manager, job) : undefined });
      }
      return results;
    });
  } catch (error) {
    if (isTransientError(error)) return jobs.map(() => ({ status: 'rejected', reason: error }));
    const settled: Array<PromiseSettledResult<T | undefined>> = [];
    for (const job of jobs) settled.push(await alone(job));
    return settled;
  }
}

/**
 * How consumers batch their jobs (JobBatcher): up to `maxSize` per transaction, two
 * batches at a time; `concurrency` is what the queue's worker must run at once to fill them.
 */
export const OUTBOX_JOB_BATCHES = { maxSize: 50, maxInFlight: 2, concurrency: 100 } as const;

/** Runs the jobs handed to `add` with runOutboxJobs, OUTBOX_JOB_BATCHES at a time. */
export function outboxJobBatcher<J extends OutboxJob, T>(
  dataSource: DataSource,
  effect: (manager: EntityManager, job: J) => Promise<T>,
): JobBatcher<J, T | undefined> {
  return new JobBatcher((jobs) => runOutboxJobs(dataSource, jobs, effect), OUTBOX_JOB_BATCHES);
}

/** An outbox row whose consumer has not said it is done. */
export interface UnfinishedOutboxRow {
  id: number;
  queue: string;
  jobName: string;
  payload: Record<string, unknown>;
  createdAt: Date;
  relayedAt: Date | null;
}

/**
 * A company's outbox rows not completed and written more than `olderThanMinutes`
 * ago, oldest first; with `requestIds`, only rows of `job` whose payload names one
 * of those requests (an approved request's apply job, a batch's among them).
 */
export async function listUnfinishedOutbox(
  manager: EntityManager,
  companyId: number,
  filter: { olderThanMinutes: number; limit: number } | { job: JobRef; requestIds: readonly number[] },
): Promise<UnfinishedOutboxRow[]> {
  const rows: Array<{
    id: string;
    queue: string;
    job_name: string;
    payload: Record<string, unknown>;
    created_at: Date;
    relayed_at: Date | null;
  }> =
    'requestIds' in filter
      ? await manager.query(
          `SELECT id, queue, job_name, payload, created_at, relayed_at FROM outbox
            WHERE company_id = $1 AND completed_at IS NULL AND queue = $2 AND job_name = $3
              AND ${payloadNamesAnyOf('requestId', '$4::bigint[]')}
            ORDER BY id`,
          [companyId, filter.job.queue, filter.job.name, filter.requestIds],
        )
      : await manager.query(
          `SELECT id, queue, job_name, payload, created_at, relayed_at FROM outbox
            WHERE company_id = $1 AND completed_at IS NULL AND created_at < now() - $2 * interval '1 minute'
            ORDER BY id LIMIT $3`,
          [companyId, filter.olderThanMinutes, filter.limit],
        );
  return rows.map((row) => ({
    id: Number(row.id),
    queue: row.queue,
    jobName: row.job_name,
    payload: row.payload,
    createdAt: row.created_at,
    relayedAt: row.relayed_at,
  }));
}
