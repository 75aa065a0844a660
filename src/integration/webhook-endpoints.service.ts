import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { parseTotpKeyring, sealTotpSecret, TotpKeyring } from '../identity/totp-secret-box';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { sequenceFeed } from './feed-writer';
import { newWebhookSecret, webhookSecretContext } from './webhook-signature';
import { webhookUrlProblem, WebhookUrlProblem } from './webhook-url';

export interface WebhookEndpointView {
  id: number;
  url: string;
  /** The last cursor the endpoint received. */
  deliveredCursor: string;
  /** Feed items not yet delivered. */
  behind: number;
  failureCount: number;
  lastError: string | null;
  lastAttemptAt: Date | null;
  stoppedAt: Date | null;
  createdAt: Date;
}

export type WebhookCreateResult = { ok: true; id: number; secret: string } | { ok: false; problem: WebhookUrlProblem };

/**
 * A company's webhook endpoints, for its admins: register one (its signing secret is
 * returned once and kept sealed), remove one, see which fail, and retry a stopped one.
 * Every call is scoped to the admin's company: another company's id is not found.
 */
@Injectable()
export class WebhookEndpoints {
  private readonly keyring: TotpKeyring;

  constructor(
    private readonly dataSource: DataSource,
    private readonly dispatcher: WebhookDispatcher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.keyring = parseTotpKeyring(config.TOTP_ENCRYPTION_KEYS);
  }

  async list(companyId: number): Promise<WebhookEndpointView[]> {
    const rows = (await this.dataSource.query(
      `SELECT w.id, w.url, w.delivered_seq, w.failure_count, w.last_error, w.last_attempt_at, w.stopped_at, w.created_at,
              (SELECT count(*) FROM integration_feed f
                WHERE f.company_id = w.company_id AND (f.seq > w.delivered_seq OR f.seq IS NULL))::int AS behind
         FROM webhook_endpoints w WHERE w.company_id = $1 ORDER BY w.id`,
      [companyId],
    )) as Array<Record<string, unknown>>;
    return rows.map((row) => ({
      id: Number(row.id),
      url: row.url as string,
      deliveredCursor: String(row.delivered_seq),
      behind: row.behind as number,
      failureCount: row.failure_count as number,
      lastError: row.last_error as string | null,
      lastAttemptAt: row.last_attempt_at as Date | null,
      stoppedAt: row.stopped_at as Date | null,
      createdAt: row.created_at as Date,
    }));
  }

  /** Registers an endpoint that receives the feed from its current end on. */
  async create(companyId: number, url: string): Promise<WebhookCreateResult> {
    const problem = webhookUrlProblem(url, this.config.NODE_ENV === 'production');
    if (problem) return { ok: false, problem };
    const secret = newWebhookSecret();
    await sequenceFeed(this.dataSource, companyId);
    const id = await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `INSERT INTO webhook_endpoints (company_id, url, secret_sealed, delivered_seq)
         SELECT $1, $2, '', COALESCE(MAX(seq), 0) FROM integration_feed WHERE company_id = $1 RETURNING id`,
        [companyId, url],
      )) as Array<{ id: string }>;
      const endpointId = Number(row.id);
      // The sealed secret is bound to its row, whose id exists only now.
      await manager.query(`UPDATE webhook_endpoints SET secret_sealed = $2 WHERE id = $1`, [
        endpointId,
        sealTotpSecret(secret, webhookSecretContext(companyId, endpointId), this.keyring),
      ]);
      return endpointId;
    });
    return { ok: true, id, secret };
  }

  async remove(companyId: number, endpointId: number): Promise<boolean> {
    const [, affected] = (await this.dataSource.query(`DELETE FROM webhook_endpoints WHERE company_id = $1 AND id = $2`, [
      companyId,
      endpointId,
    ])) as [unknown, number];
    return affected > 0;
  }

  /** Starts delivering again to an endpoint (stopped or failing), with fresh retries. */
  async retry(companyId: number, endpointId: number): Promise<boolean> {
    const [rows] = (await this.dataSource.query(
      `UPDATE webhook_endpoints SET stopped_at = NULL WHERE company_id = $1 AND id = $2 AND active RETURNING id`,
      [companyId, endpointId],
    )) as [unknown[], number];
    if (rows.length === 0) return false;
    await this.dispatcher.queue(companyId, endpointId);
    return true;
  }
}
