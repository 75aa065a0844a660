import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { JobBatcher } from '../../libs/queue/job-batcher';
import { OUTBOX_JOB_BATCHES, outboxJobBatcher } from '../../libs/outbox/outbox';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';
import { EmailLanguage } from '../notifications/email-templates';
import { EmailService } from '../notifications/email.service';

type DecidedJob = Pick<Job<{ requestId: number; companyId: number; outboxId?: number }>, 'data'>;

interface DecidedRow {
  state: string;
  customer_id: string;
  customer_name: string;
  recipient: string | null;
  language: EmailLanguage | null;
  meter_serial: string | null;
  value: string | null;
  read_on: string | null;
  reason: string | null;
}

/**
 * `notifications/request-decided`: tells the customer by e-mail that a meter reading
 * was recorded (applied) or rejected (with the clerk's reason), if they have a verified
 * login and the `reading_recorded` topic on. The once key makes a re-run job queue nothing.
 * Jobs running at the same time share one transaction.
 */
@Injectable()
export class RequestDecidedProcessor implements OnModuleInit {
  private readonly logger = new Logger(RequestDecidedProcessor.name);
  private readonly batcher: JobBatcher<DecidedJob, void | undefined>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueuesService,
    private readonly dataSource: DataSource,
    private readonly emails: EmailService,
  ) {
    this.batcher = outboxJobBatcher(dataSource, (manager, job: DecidedJob) => this.notify(manager, job));
  }

  onModuleInit(): void {
    this.queues.register(JOBS.requestDecided, (job) => this.handle(job), { concurrency: OUTBOX_JOB_BATCHES.concurrency });
  }

  async handle(job: DecidedJob): Promise<void> {
    await this.batcher.add(job);
  }

  private async notify(manager: EntityManager, job: DecidedJob): Promise<void> {
    const { requestId, companyId } = job.data;
    const [row]: DecidedRow[] = await manager.query(
      `SELECT r.state, r.customer_id, c.name AS customer_name, a.login_email AS recipient, a.language,
              m.serial_number AS meter_serial, r.payload->>'value' AS value, r.payload->>'readOn' AS read_on,
              (SELECT t.comment FROM request_transitions t
                WHERE t.company_id = r.company_id AND t.request_id = r.id AND t.to_state = 'rejected'
                ORDER BY t.id DESC LIMIT 1) AS reason
         FROM requests r
         JOIN customers c ON c.company_id = r.company_id AND c.id = r.customer_id
         LEFT JOIN customer_accounts a ON a.company_id = r.company_id AND a.customer_id = r.customer_id AND a.email_verified_at IS NOT NULL
         LEFT JOIN meters m ON m.company_id = r.company_id AND m.id = (r.payload->>'meterId')::bigint
        WHERE r.company_id = $1 AND r.id = $2 AND r.kind = 'meter_reading'`,
      [companyId, requestId],
    );
    const outcome = row?.state === 'applied' || row?.state === 'rejected' ? row.state : null;
    if (!row || !outcome || !row.recipient || !row.language || !row.meter_serial || !row.value || !row.read_on) {
      this.logger.log({ requestId, companyId, state: row?.state }, 'request decided; no e-mail to send');
      return;
    }
    const emailId = await this.emails.queueNotification(manager, {
      companyId,
      template: 'request-decided',
      language: row.language,
      to: row.recipient,
      params: {
        customerName: row.customer_name,
        outcome,
        meterSerial: row.meter_serial,
        value: row.value.replace('.', row.language === 'hu' ? ',' : '.'),
        readOn: row.read_on,
        ...(outcome === 'rejected' && row.reason ? { reason: row.reason } : {}),
        link: `${this.config.PUBLIC_URL}/readings`,
      },
      notification: { customerId: Number(row.customer_id), topic: 'reading_recorded' },
      onceKey: `request-decided:${requestId}:${outcome}`,
    });
    this.logger.log(
      { requestId, companyId, outcome, emailId },
      emailId ? 'decision e-mail queued' : 'decision e-mail not wanted or already queued',
    );
  }
}
