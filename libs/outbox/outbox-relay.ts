import { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { outboxJobId } from './outbox';

interface OutboxRow {
  id: string;
  queue: string;
  job_name: string;
  payload: Record<string, unknown>;
}

export interface RelayLogger {
  log(message: string | object, ...rest: unknown[]): void;
  error(message: string | object, ...rest: unknown[]): void;
}

export interface RelayOptions {
  /** Outbox rows relayed (or re-sent) per transaction. */
  batchSize: number;
  /** A row relayed this long ago and still not completed is sent again. */
  resendAfterMs: number;
}

/**
 * Moves committed outbox rows into BullMQ, and sends again what was relayed but
 * never completed (a Redis that lost its jobs, a job that ran out of attempts).
 * Several relays may run at once (one per worker instance): `FOR UPDATE SKIP
 * LOCKED` hands each row to exactly one of them, and the row id as job id makes a
 * repeated hand-over of a job still in Redis a no-op.
 */
export class OutboxRelay {
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queueFor: (name: string) => Queue,
    private readonly options: RelayOptions,
    private readonly logger: RelayLogger,
  ) {}

  /** Relays one batch of new rows; returns how many it moved. */
  async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, queue, job_name, payload FROM outbox
          WHERE relayed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize],
      );
      if (rows.length === 0) return 0;
      const byQueue = new Map<string, OutboxRow[]>();
      for (const row of rows) {
        const queued = byQueue.get(row.queue) ?? [];
        queued.push(row);
        byQueue.set(row.queue, queued);
      }
      await Promise.all([...byQueue].map(([queueName, queued]) => this.queueFor(queueName).addBulk(queued.map((row) => this.jobOf(row)))));
      await this.markRelayed(manager, rows);
      return rows.length;
    });
  }

  /**
   * Looks again at one batch of rows relayed more than `resendAfterMs` ago and not
   * completed: a job Redis no longer has is added again, a job that failed for good
   * is retried with fresh attempts, one still waiting or running is left alone.
   * Returns how many jobs it sent again.
   */
  async resendStale(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, queue, job_name, payload FROM outbox
          WHERE completed_at IS NULL AND relayed_at < now() - $2 * interval '1 millisecond'
          ORDER BY relayed_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize, this.options.resendAfterMs],
      );
      return this.resend(manager, rows, false);
    });
  }

  /**
   * A supervisor's re-send of a company's rows not completed, whatever their age:
   * as `resendStale`, and a job Redis counts as completed whose row says otherwise
   * runs once more (the consumers are idempotent). Returns the ids it looked at.
   */
  async resendNow(companyId: number, ids: readonly number[]): Promise<{ examined: number[]; resent: number }> {
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id, queue, job_name, payload FROM outbox
          WHERE company_id = $1 AND id = ANY($2::bigint[]) AND completed_at IS NULL
          ORDER BY id FOR UPDATE`,
        [companyId, ids],
      );
      const resent = await this.resend(manager, rows, true);
      return { examined: rows.map((row) => Number(row.id)), resent };
    });
  }

  private async resend(manager: EntityManager, rows: OutboxRow[], rerunCompleted: boolean): Promise<number> {
    if (rows.length === 0) return 0;
    let resent = 0;
    for (const row of rows) {
      const queue = this.queueFor(row.queue);
      const job = this.jobOf(row);
      const state = await queue.getJobState(job.opts.jobId);
      if (state === 'failed') {
        await (await queue.getJob(job.opts.jobId))?.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      } else if (state === 'unknown' || (state === 'completed' && rerunCompleted)) {
        if (state === 'completed') await queue.remove(job.opts.jobId);
        await queue.add(job.name, job.data, job.opts);
      } else {
        continue;
      }
      resent += 1;
    }
    await this.markRelayed(manager, rows);
    return resent;
  }

  private jobOf(row: OutboxRow) {
    return { name: row.job_name, data: { ...row.payload, outboxId: Number(row.id) }, opts: { jobId: outboxJobId(Number(row.id)) } };
  }

  private async markRelayed(manager: EntityManager, rows: OutboxRow[]): Promise<void> {
    await manager.query(`UPDATE outbox SET relayed_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
  }

  /** Polls until stopped; drains whole backlogs before sleeping again. */
  start(pollMs: number): void {
    if (this.running) return;
    this.stopping = false;
    this.running = (async () => {
      while (!this.stopping) {
        let moved = 0;
        try {
          moved = await this.relayBatch();
          if (moved > 0) this.logger.log({ moved }, 'outbox rows relayed');
          if (moved === 0) {
            const resent = await this.resendStale();
            if (resent > 0) this.logger.log({ resent }, 'outbox rows relayed but not completed sent again');
            moved = resent;
          }
        } catch (error) {
          this.logger.error({ err: error }, 'outbox relay failed; retrying after the poll interval');
        }
        if (moved === 0 && !this.stopping) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pollMs);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      }
    })();
  }

  /** Stops polling after the batch in progress. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    this.running = undefined;
  }
}
