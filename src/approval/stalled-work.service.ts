import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { listUnfinishedOutbox, payloadIds, UnfinishedOutboxRow } from '../../libs/outbox/outbox';
import { OutboxRelay } from '../../libs/outbox/outbox-relay';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';

/** At most this many rows of each list: a supervisor's view, not an export. */
const LIST_LIMIT = 200;

export interface StalledRequest {
  id: number;
  kind: string;
  customerId: number;
  customerCode: string;
  approvedAt: Date;
  /** The apply jobs of the request not yet completed (what a re-send sends again). */
  outboxIds: number[];
}

export interface StalledWork {
  olderThanMinutes: number;
  requests: StalledRequest[];
  outbox: UnfinishedOutboxRow[];
}

/**
 * What has waited too long in a company (supervisors): requests approved but not
 * applied, and outbox rows (applies, e-mails, exports…) whose consumer has not said
 * it is done, after STALLED_AFTER_MINUTES (or the minutes asked for). The relay
 * re-sends such rows by itself after OUTBOX_RESEND_AFTER_MS; `resend` does it now.
 */
@Injectable()
export class StalledWorkService {
  private readonly logger = new Logger(StalledWorkService.name);
  private readonly relay: OutboxRelay;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    queues: QueuesService,
  ) {
    this.relay = new OutboxRelay(
      dataSource,
      (name) => queues.queue(name),
      { batchSize: config.OUTBOX_BATCH_SIZE, resendAfterMs: config.OUTBOX_RESEND_AFTER_MS },
      this.logger,
    );
  }

  async list(companyId: number, olderThanMinutes = this.config.STALLED_AFTER_MINUTES): Promise<StalledWork> {
    const approved: Array<{ id: string; kind: string; customer_id: string; code: string; updated_at: Date }> = await this.dataSource.query(
      `SELECT r.id, r.kind, r.customer_id, c.code, r.updated_at
         FROM requests r JOIN customers c ON c.company_id = r.company_id AND c.id = r.customer_id
        WHERE r.company_id = $1 AND r.state = 'approved' AND r.updated_at < now() - $2 * interval '1 minute'
        ORDER BY r.updated_at LIMIT $3`,
      [companyId, olderThanMinutes, LIST_LIMIT],
    );
    const applyRows = await listUnfinishedOutbox(this.dataSource.manager, companyId, {
      job: JOBS.applyRequest,
      requestIds: approved.map((row) => Number(row.id)),
    });
    const outbox = await listUnfinishedOutbox(this.dataSource.manager, companyId, { olderThanMinutes, limit: LIST_LIMIT });
    return {
      olderThanMinutes,
      requests: approved.map((row) => ({
        id: Number(row.id),
        kind: row.kind,
        customerId: Number(row.customer_id),
        customerCode: row.code,
        approvedAt: row.updated_at,
        outboxIds: applyRows.filter((apply) => payloadIds(apply.payload, 'requestId').includes(Number(row.id))).map((apply) => apply.id),
      })),
      outbox,
    };
  }

  /** Sends one of the company's unfinished outbox rows again now; false when there is no such row (or it is done). */
  async resend(companyId: number, outboxId: number): Promise<boolean> {
    const { examined, resent } = await this.relay.resendNow(companyId, [outboxId]);
    if (examined.length > 0) this.logger.log({ companyId, outboxId, resent: resent > 0 }, 'outbox row re-sent by a supervisor');
    return examined.length > 0;
  }
}
