import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { openTotpSecret, parseTotpKeyring, TotpKeyring } from '../identity/totp-secret-box';
import { JOBS } from '../jobs';
import { feedItemView, FeedItemRow, readFeedAfter } from './feed.service';
import { signWebhook, WEBHOOK_SIGNATURE_HEADER, webhookSecretContext } from './webhook-signature';

/** Items fetched per round; the job keeps going until the endpoint has everything. */
const BATCH = 100;

interface DeliveryJob {
  endpointId: number;
  companyId: number;
}

/** A delivery the receiver refused or did not answer. */
export class WebhookDeliveryError extends Error {}

/**
 * Pushes an endpoint's undelivered feed items one POST each, in `seq` order, signed
 * (HMAC-SHA256 over `timestamp.rawBody`). A 2xx moves the endpoint's `delivered_seq` on;
 * anything else records the failure and throws, so BullMQ retries the job with
 * exponential backoff, starting again at the item that failed. When the last attempt
 * fails the endpoint is stopped until an admin retries it. A receiver may see an item
 * twice if the portal dies between its answer and the commit: the `webhook-id` header
 * (company and cursor) lets it drop the repeat.
 */
@Injectable()
export class WebhookDeliveryProcessor implements OnModuleInit {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private readonly keyring: TotpKeyring;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.keyring = parseTotpKeyring(config.TOTP_ENCRYPTION_KEYS);
  }

  onModuleInit(): void {
    this.queues.register(JOBS.deliverWebhook, (job) => this.deliver(job as Job<DeliveryJob>));
  }

  /** Returns how many items were delivered. */
  async deliver(job: Pick<Job<DeliveryJob>, 'data' | 'attemptsMade' | 'opts'>): Promise<number> {
    const { endpointId, companyId } = job.data;
    const [endpoint] = (await this.dataSource.query(
      `SELECT url, secret_sealed, delivered_seq FROM webhook_endpoints
        WHERE company_id = $1 AND id = $2 AND active AND stopped_at IS NULL`,
      [companyId, endpointId],
    )) as Array<{ url: string; secret_sealed: string; delivered_seq: string }>;
    if (!endpoint) return 0;
    let secret: string;
    try {
      secret = openTotpSecret(endpoint.secret_sealed, webhookSecretContext(companyId, endpointId), this.keyring);
    } catch (error) {
      // A key removed from TOTP_ENCRYPTION_KEYS: shown on the failing deliveries, not retried into the void.
      await this.recordFailure({ ...job, attemptsMade: Infinity }, (error as Error).message);
      return 0;
    }
    let deliveredSeq = Number(endpoint.delivered_seq);
    let delivered = 0;
    for (;;) {
      const items = await readFeedAfter(this.dataSource, companyId, deliveredSeq, BATCH);
      if (items.length === 0) return delivered;
      for (const item of items) {
        const seq = Number(item.seq);
        const failure = await this.post(endpoint.url, secret, companyId, item);
        if (failure !== null) {
          await this.recordFailure(job, failure);
          throw new WebhookDeliveryError(failure);
        }
        const [still] = (await this.dataSource.query(
          `UPDATE webhook_endpoints SET delivered_seq = GREATEST(delivered_seq, $3), failure_count = 0, last_error = NULL,
                  last_attempt_at = now()
            WHERE company_id = $1 AND id = $2 AND active RETURNING id`,
          [companyId, endpointId, seq],
        )) as [unknown[], number];
        // Removed (or switched off) meanwhile: nothing more goes to it.
        if (still.length === 0) return delivered + 1;
        deliveredSeq = seq;
        delivered += 1;
      }
    }
  }

  /** Null when the receiver answered 2xx; otherwise why not. */
  private async post(url: string, secret: string, companyId: number, item: FeedItemRow): Promise<string | null> {
    const body = JSON.stringify(feedItemView(item));
    const timestamp = Math.floor(Date.now() / 1000);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': `${companyId}-${item.seq}`,
          [WEBHOOK_SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.WEBHOOK_TIMEOUT_MS),
      });
      await response.body?.cancel();
      return response.ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return cause ?? (error as Error).name ?? 'request failed';
    }
  }

  private async recordFailure(job: Pick<Job<DeliveryJob>, 'data' | 'attemptsMade' | 'opts'>, reason: string): Promise<void> {
    const { endpointId, companyId } = job.data;
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await this.dataSource.query(
      `UPDATE webhook_endpoints SET failure_count = failure_count + 1, last_error = $3, last_attempt_at = now(),
              stopped_at = CASE WHEN $4 THEN now() ELSE stopped_at END
        WHERE company_id = $1 AND id = $2`,
      [companyId, endpointId, reason.slice(0, 500), lastAttempt],
    );
    this.logger.warn({ companyId, endpointId, attempt: job.attemptsMade + 1, reason, stopped: lastAttempt }, 'webhook delivery failed');
  }
}
