import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { outboxJobId } from './outbox';

interface PendingRow {
  id: string;
  queue: string;
  job_name: string;
  payload: Record<string, unknown>;
}

export interface RelayLogger {
  log(message: string | object, ...rest: unknown[]): void;
  error(message: string | object, ...rest: unknown[]): void;
}

/**
 * Moves committed outbox rows into BullMQ. Several relays may run at once (one per
 * worker instance): `FOR UPDATE SKIP LOCKED` hands each row to exactly one of
 * them, and the row id as job id makes a retried hand-over a no-op in BullMQ.
 */
export class OutboxRelay {
  private running: Promise<void> | undefined;
  private stopping = false;
  private wake: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queueFor: (name: string) => Queue,
    private readonly batchSize: number,
    private readonly logger: RelayLogger,
  ) {}

  /** Relays one batch; returns how many rows it moved. */
  async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: PendingRow[] = await manager.query(
        `SELECT id, queue, job_name, payload FROM outbox
          WHERE relayed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.batchSize],
      );
      if (rows.length === 0) return 0;
      const byQueue = new Map<string, PendingRow[]>();
      for (const row of rows) byQueue.set(row.queue, [...(byQueue.get(row.queue) ?? []), row]);
      for (const [queueName, queued] of byQueue) {
        await this.queueFor(queueName).addBulk(
          queued.map((row) => ({
            name: row.job_name,
            data: { ...row.payload, outboxId: Number(row.id) },
            opts: { jobId: outboxJobId(Number(row.id)) },
          })),
        );
      }
      await manager.query(`UPDATE outbox SET relayed_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
      return rows.length;
    });
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
