import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { OutboxRelay } from '../../libs/outbox/outbox-relay';
import { assertNoEviction } from '../../libs/queue/redis';
import { APP_CONFIG } from './config.module';
import { QueuesService } from './queues.service';

/** Starts what the worker role runs: BullMQ workers, job schedulers and the outbox relay (which also re-sends what was never completed). */
@Injectable()
export class WorkerRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerRunner.name);
  private relay: OutboxRelay | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
  ) {}

  async start(): Promise<void> {
    await assertNoEviction(this.queues.connection);
    this.queues.startWorkers(this.config.WORKER_CONCURRENCY);
    await this.queues.startSchedulers();
    this.relay = new OutboxRelay(
      this.dataSource,
      (name) => this.queues.queue(name),
      { batchSize: this.config.OUTBOX_BATCH_SIZE, resendAfterMs: this.config.OUTBOX_RESEND_AFTER_MS },
      this.logger,
    );
    this.relay.start(this.config.OUTBOX_POLL_MS);
  }

  /**
   * Runs before any module closes its connections, so the relay never writes to a
   * closed queue and the workers' active jobs finish while PostgreSQL is still open.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
    await this.queues.closeWorkers();
  }
}
