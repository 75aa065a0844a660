import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job, UnrecoverableError } from 'bullmq';
import { createTransport, Transporter } from 'nodemailer';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { completeOutboxJob } from '../../libs/outbox/outbox';
import { JOBS } from '../jobs';
import { EmailLog } from './email-log.entity';
import { EmailRenderer } from './email-renderer';
import { signUnsubscribeToken } from './unsubscribe-token';

export type SendEmailJob = Pick<Job<{ emailId: number; outboxId?: number }>, 'data' | 'attemptsMade' | 'opts'>;

/** Shown when an e-mail has no company (none today; the column allows it). */
const FALLBACK_SENDER_NAME = 'Ügyfélportál';

/**
 * Sends queued e-mails over SMTP. Holding the email_log row lock while sending
 * makes a replayed or duplicated job wait and then find the row 'sent', so it
 * sends nothing twice. A crash between the SMTP server's acceptance and the
 * commit can still resend once: delivery is at least once, never lost. The outbox
 * row is done when the log row says sent, or failed after the last attempt.
 */
@Injectable()
export class EmailProcessor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(EmailProcessor.name);
  private readonly transport: Transporter;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly renderer: EmailRenderer,
    private readonly queues: QueuesService,
  ) {
    // Bounded timeouts: the row lock and a worker slot are held while the server answers.
    this.transport = createTransport(
      { url: config.SMTP_URL, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 },
      { from: config.MAIL_FROM },
    );
  }

  onModuleInit(): void {
    this.queues.register(JOBS.sendEmail, (job) => this.handle(job));
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }

  async handle(job: SendEmailJob): Promise<void> {
    const { emailId } = job.data;
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const failure = await this.dataSource.transaction(async (manager) => {
      const email = await manager.findOne(EmailLog, { where: { id: emailId }, lock: { mode: 'pessimistic_write' } });
      if (!email) throw new UnrecoverableError(`email_log row ${emailId} does not exist`);
      const log = { emailId, template: email.template };
      if (email.status === 'sent') {
        await completeOutboxJob(manager, job);
        this.logger.log(log, 'email already sent; nothing to do');
        return undefined;
      }
      const companyName = await this.companyName(manager, email.companyId);
      try {
        const unsubscribe = this.unsubscribeLinks(email);
        const rendered = this.renderer.render(email.template, email.language, email.params, {
          companyName,
          unsubscribeUrl: unsubscribe?.page,
        });
        const info = await this.transport.sendMail({
          to: email.recipient,
          ...rendered,
          // RFC 8058: mail clients offer "unsubscribe" and POST to this URL, with no login.
          ...(unsubscribe
            ? { headers: { 'List-Unsubscribe': `<${unsubscribe.oneClick}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } }
            : {}),
        });
        await manager.update(EmailLog, email.id, {
          status: 'sent',
          sentAt: new Date(),
          messageId: info.messageId,
          attempts: email.attempts + 1,
        });
        await completeOutboxJob(manager, job);
        this.logger.log(log, 'email sent');
        return undefined;
      } catch (error) {
        const { message, code, responseCode } = error as Error & { code?: string; responseCode?: number };
        await manager.update(EmailLog, email.id, {
          status: finalAttempt ? 'failed' : email.status,
          attempts: email.attempts + 1,
          lastError: message.slice(0, 2000),
        });
        if (finalAttempt) await completeOutboxJob(manager, job);
        // SMTP error texts may quote the address, so neither the log nor BullMQ (in Redis) gets them.
        this.logger.warn({ ...log, attempt: email.attempts + 1, finalAttempt, code, responseCode }, 'email not sent');
        return new Error(`email ${emailId} not sent (${code ?? 'error'}${responseCode ? ` ${responseCode}` : ''})`);
      }
    });
    if (failure) throw failure;
  }

  /**
   * For a notification a customer can turn off: the page the e-mail's link opens (one
   * button, so a link scanner fetching it changes nothing) and the RFC 8058 POST target.
   */
  private unsubscribeLinks(email: EmailLog): { page: string; oneClick: string } | undefined {
    if (email.topic === null || email.customerId === null || email.companyId === null) return undefined;
    const token = signUnsubscribeToken(
      { companyId: email.companyId, customerId: email.customerId, topic: email.topic },
      this.config.NOTIFICATION_LINK_SECRET,
    );
    return {
      page: `${this.config.PUBLIC_URL}/notifications/unsubscribe/${token}`,
      oneClick: `${this.config.PUBLIC_URL}/api/v1/notifications/unsubscribe/${token}`,
    };
  }

  private async companyName(manager: EntityManager, companyId: number | null): Promise<string> {
    if (companyId === null) return FALLBACK_SENDER_NAME;
    const rows: Array<{ name: string }> = await manager.query(`SELECT name FROM companies WHERE id = $1`, [companyId]);
    return rows[0].name;
  }
}
