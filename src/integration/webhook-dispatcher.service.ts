import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';

/**
 * Queues webhook deliveries: one BullMQ job per endpoint at a time (deduplicated by the
 * endpoint's id while queued, retrying or running), which pushes everything the endpoint
 * has not received, in order. A trigger lost meanwhile (Redis down after the feed item
 * committed, or an item committed just as the running job finished) is caught by the
 * sweep scheduler, which queues every endpoint behind its company's feed.
 */
@Injectable()
export class WebhookDispatcher implements OnModuleInit {
  private readonly logger = new Logger(WebhookDispatcher.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.queues.register(JOBS.sweepWebhooks, () => this.sweep());
    this.queues.schedule(
      'webhooks/sweep',
      JOBS.sweepWebhooks,
      { every: this.config.WEBHOOK_SWEEP_SECONDS * 1000 },
      {},
      { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
    );
  }

  /** Queues delivery to the company's endpoints that are active and not stopped; never throws (the sweep catches up). */
  async dispatch(companyId: number): Promise<void> {
    try {
      const endpoints = (await this.dataSource.query(
        `SELECT id FROM webhook_endpoints WHERE company_id = $1 AND active AND stopped_at IS NULL`,
        [companyId],
      )) as Array<{ id: string }>;
      for (const { id } of endpoints) await this.queue(companyId, Number(id));
    } catch (error) {
      this.logger.warn({ companyId, err: (error as Error).message }, 'webhook delivery not queued; the sweep will');
    }
  }

  /** One delivery job for the endpoint unless one is already queued, retrying or running. */
  async queue(companyId: number, endpointId: number): Promise<void> {
    await this.queues.queue(JOBS.deliverWebhook.queue).add(
      JOBS.deliverWebhook.name,
      { endpointId, companyId },
      {
        deduplication: { id: `webhook-endpoint-${endpointId}` },
        attempts: this.config.WEBHOOK_ATTEMPTS,
        backoff: { type: 'exponential', delay: this.config.WEBHOOK_BACKOFF_MS },
      },
    );
  }

  /** Queues every active, not stopped endpoint that has feed items it has not received. */
  async sweep(): Promise<number> {
    const behind = (await this.dataSource.query(
      `SELECT w.company_id, w.id FROM webhook_endpoints w
        WHERE w.active AND w.stopped_at IS NULL
          AND EXISTS (SELECT 1 FROM integration_feed f
                       WHERE f.company_id = w.company_id AND (f.seq > w.delivered_seq OR f.seq IS NULL))`,
    )) as Array<{ company_id: number; id: string }>;
    for (const row of behind) await this.queue(row.company_id, Number(row.id));
    return behind.length;
  }
}
