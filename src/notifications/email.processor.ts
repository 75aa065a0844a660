import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { createTransport, Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { completeOutboxJob } from '../../libs/outbox/outbox';
import { JOBS } from '../jobs';
import { EmailAttachmentFile, EmailAttachmentRef, EmailAttachments } from './email-attachments';
import { EmailRenderer } from './email-renderer';
import { EmailLanguage } from './email-templates';
import { NotificationTopic } from './notification-preference.entity';
import { signUnsubscribeToken } from './unsubscribe-token';

type JobRun<T> = Pick<Job<T & { outboxId?: number }>, 'data' | 'attemptsMade' | 'opts'>;
export type SendEmailJob = JobRun<{ emailId: number }>;
export type SendEmailBatchJob = JobRun<{ companyId: number; firstEmailId: number; lastEmailId: number }>;

/** The e-mails one job sends: queued rows with ids in a range, of one company (or any, for a single e-mail). */
interface EmailRange {
  firstEmailId: number;
  lastEmailId: number;
  companyId: number | null;
}

/** Shown when an e-mail has no company (none today; the column allows it). */
const FALLBACK_SENDER_NAME = 'Ügyfélportál';

interface ClaimedEmail {
  id: string;
  company_id: number | null;
  company_name: string | null;
  template: string;
  language: EmailLanguage;
  recipient: string;
  params: Record<string, unknown>;
  customer_id: string | null;
  topic: NotificationTopic | null;
  attachments: EmailAttachmentRef[] | null;
}

type Outcome =
  { id: number; sent: true; messageId: string } | { id: number; sent: false; error: string; code?: string; responseCode?: number };

/**
 * Claims the next wave of the range: queued e-mails not yet tried by this run, locked
 * until the wave's transaction commits. The first pass skips rows another job holds;
 * the last one waits for them and takes what they left queued (a crashed holder's rows
 * are free again the moment its connection drops).
 */
function claimStatement(waitForOthers: boolean): string {
  return `
    SELECT e.id, e.company_id, co.name AS company_name, e.template, e.language, e.recipient, e.params,
           e.customer_id, e.topic, e.attachments
      FROM email_log e LEFT JOIN companies co ON co.id = e.company_id
     WHERE e.id BETWEEN $1 AND $2 AND ($3::integer IS NULL OR e.company_id = $3)
       AND e.status = 'queued' AND e.id <> ALL($4::bigint[])
     ORDER BY e.id
     LIMIT $5
       FOR UPDATE OF e${waitForOthers ? '' : ' SKIP LOCKED'}`;
}

/**
 * Sends queued e-mails over a pool of SMTP connections, a wave at a time: one
 * statement claims up to EMAIL_WAVE_SIZE rows (locking them), the pool sends them
 * at once, one statement records every outcome, and the commit releases them. A
 * replayed or duplicated job finds the rows locked or sent and sends nothing twice.
 * A crash between the SMTP server's acceptance and the wave's commit can resend that
 * wave once: delivery is at least once, never lost. The outbox row is done when no
 * e-mail of the range is left to retry.
 */
@Injectable()
export class EmailProcessor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EmailProcessor.name);
  private readonly transport: Transporter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly renderer: EmailRenderer,
    private readonly attachments: EmailAttachments,
    private readonly queues: QueuesService,
  ) {
    // The pool keeps its connections open across e-mails and jobs. Bounded timeouts:
    // the wave's row locks and a worker slot are held while the server answers.
    this.transport = createTransport(
      new SMTPPool({
        pool: true,
        url: config.SMTP_URL,
        maxConnections: config.SMTP_POOL_SIZE,
        maxMessages: Infinity,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      }),
    );
  }

  onModuleInit(): void {
    this.queues.register(JOBS.sendEmail, (job) => this.handle(job as SendEmailJob));
    this.queues.register(JOBS.sendEmailBatch, (job) => this.handleBatch(job as SendEmailBatchJob));
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }

  /** One e-mail ({ emailId }), e.g. a verification link or a decision. */
  async handle(job: SendEmailJob): Promise<void> {
    const { emailId } = job.data;
    await this.send(job, { firstEmailId: emailId, lastEmailId: emailId, companyId: null });
  }

  /** A company's e-mails queued together (EmailService.queueMany), by their range of ids. */
  async handleBatch(job: SendEmailBatchJob): Promise<void> {
    const { companyId, firstEmailId, lastEmailId } = job.data;
    await this.send(job, { firstEmailId, lastEmailId, companyId });
  }

  private async send(job: JobRun<object>, range: EmailRange): Promise<void> {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    // Built before any row is locked: a source reads with its own connection.
    const files = await this.attachmentFiles(range);
    const tried: number[] = [];
    const failures: Array<Extract<Outcome, { sent: false }>> = [];
    let sent = 0;
    for (const waitForOthers of [false, true]) {
      for (;;) {
        const outcomes = await this.dataSource.transaction(async (manager) => {
          const emails: ClaimedEmail[] = await manager.query(claimStatement(waitForOthers), [
            range.firstEmailId,
            range.lastEmailId,
            range.companyId,
            tried,
            this.config.EMAIL_WAVE_SIZE,
          ]);
          if (emails.length === 0) return [];
          // The wave's commit need not wait for the disk: a "sent" lost in a database crash sends
          // that e-mail once more (at least once, as above), and every wave saves a WAL flush.
          await manager.query(`SET LOCAL synchronous_commit = off`);
          const wave = await Promise.all(emails.map((email) => this.deliver(email, files.get(Number(email.id)))));
          await this.record(manager, wave, finalAttempt);
          return wave;
        });
        if (outcomes.length === 0) break;
        for (const outcome of outcomes) {
          tried.push(outcome.id);
          if (outcome.sent) sent += 1;
          else failures.push(outcome);
        }
      }
    }
    const log = { ...range, sent, failed: failures.length, finalAttempt };
    if (failures.length === 0 || finalAttempt) await completeOutboxJob(this.dataSource.manager, job);
    if (failures.length === 0) {
      this.logger.log(log, sent > 0 ? 'emails sent' : 'no queued email left; nothing to do');
      return;
    }
    // SMTP error texts may quote the address, so neither the log nor BullMQ (in Redis) gets them.
    const [first] = failures;
    const reason = `${first.code ?? 'error'}${first.responseCode ? ` ${first.responseCode}` : ''}`;
    this.logger.warn({ ...log, code: first.code, responseCode: first.responseCode }, 'emails not sent');
    throw new Error(
      failures.length === 1
        ? `email ${first.id} not sent (${reason})`
        : `${failures.length} emails not sent, e.g. email ${first.id} (${reason})`,
    );
  }

  /** Renders and hands one e-mail to the pool; never throws (a failure is an outcome). */
  private async deliver(email: ClaimedEmail, files: EmailAttachmentFile[] | Error | undefined): Promise<Outcome> {
    const id = Number(email.id);
    try {
      if (files instanceof Error) throw files;
      if (email.attachments && email.attachments.length > 0 && !files) throw new Error('attachments not built');
      const unsubscribe = this.unsubscribeLinks(email);
      const rendered = this.renderer.render(email.template, email.language, email.params, {
        companyName: email.company_name ?? FALLBACK_SENDER_NAME,
        unsubscribeUrl: unsubscribe?.page,
      });
      // The message is built whole before it goes to the pool: streamed part by part into
      // the socket it cost a write each, the largest share of a send's CPU. Base64 bodies are
      // encoded natively; quoted-printable (nodemailer's pick for mostly Latin text) in JavaScript.
      const message = new MailComposer({
        from: this.config.MAIL_FROM,
        to: email.recipient,
        ...rendered,
        textEncoding: 'base64',
        ...(files ? { attachments: files } : {}),
        // RFC 8058: mail clients offer "unsubscribe" and POST to this URL, with no login.
        ...(unsubscribe
          ? { headers: { 'List-Unsubscribe': `<${unsubscribe.oneClick}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } }
          : {}),
      }).compile();
      await this.transport.sendMail({ envelope: message.getEnvelope(), raw: await message.build() });
      return { id, sent: true, messageId: message.messageId() };
    } catch (error) {
      const { message, code, responseCode } = error as Error & { code?: string; responseCode?: number };
      return { id, sent: false, error: message.slice(0, 2000), code, responseCode };
    }
  }

  /** Every outcome of a wave in one statement; a failure stays queued for a retry unless this was the last attempt. */
  private async record(manager: EntityManager, outcomes: Outcome[], finalAttempt: boolean): Promise<void> {
    await manager.query(
      `UPDATE email_log e
          SET status = x.status, attempts = e.attempts + 1,
              sent_at = CASE WHEN x.status = 'sent' THEN now() ELSE e.sent_at END,
              message_id = COALESCE(x.message_id, e.message_id),
              last_error = COALESCE(x.last_error, e.last_error)
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS x(id, status, message_id, last_error)
        WHERE e.id = x.id`,
      [
        outcomes.map((outcome) => outcome.id),
        outcomes.map((outcome) => (outcome.sent ? 'sent' : finalAttempt ? 'failed' : 'queued')),
        outcomes.map((outcome) => (outcome.sent ? outcome.messageId : null)),
        outcomes.map((outcome) => (outcome.sent ? null : outcome.error)),
      ],
    );
  }

  /** The files of the range's queued e-mails that carry any, or the error building them gave. */
  private async attachmentFiles(range: EmailRange): Promise<Map<number, EmailAttachmentFile[] | Error>> {
    const rows: Array<{ id: string; company_id: number; language: EmailLanguage; attachments: EmailAttachmentRef[] }> =
      await this.dataSource.query(
        `SELECT id, company_id, language, attachments FROM email_log
          WHERE id BETWEEN $1 AND $2 AND ($3::integer IS NULL OR company_id = $3) AND status = 'queued' AND attachments IS NOT NULL`,
        [range.firstEmailId, range.lastEmailId, range.companyId],
      );
    const files = new Map<number, EmailAttachmentFile[] | Error>();
    for (const row of rows) {
      files.set(Number(row.id), await this.attachments.build(row.company_id, row.attachments, row.language).catch((error: Error) => error));
    }
    return files;
  }

  /**
   * For a notification a customer can turn off: the page the e-mail's link opens (one
   * button, so a link scanner fetching it changes nothing) and the RFC 8058 POST target.
   */
  private unsubscribeLinks(email: ClaimedEmail): { page: string; oneClick: string } | undefined {
    if (email.topic === null || email.customer_id === null || email.company_id === null) return undefined;
    const token = signUnsubscribeToken(
      { companyId: email.company_id, customerId: Number(email.customer_id), topic: email.topic },
      this.config.NOTIFICATION_LINK_SECRET,
    );
    return {
      page: `${this.config.PUBLIC_URL}/notifications/unsubscribe/${token}`,
      oneClick: `${this.config.PUBLIC_URL}/api/v1/notifications/unsubscribe/${token}`,
    };
  }
}
