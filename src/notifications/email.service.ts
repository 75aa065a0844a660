import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { addToOutbox } from '../../libs/outbox/outbox';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { JOBS } from '../jobs';
import { EmailAttachmentRef, EmailAttachments } from './email-attachments';
import { EmailRenderer } from './email-renderer';
import { EMAIL_LANGUAGES, EMAIL_TEMPLATES, EmailLanguage, EmailParams, EmailTemplate } from './email-templates';
import { NotificationTopic } from './notification-preference.entity';
import { NotificationPreferenceService } from './notification-preference.service';

export interface EmailToQueue<T extends EmailTemplate> {
  companyId: number;
  template: T;
  language: EmailLanguage;
  to: string;
  params: EmailParams<T>;
  /** For a notification a customer can turn off: whose, and which switch (its unsubscribe link turns it off). */
  notification?: { customerId: number; topic: NotificationTopic };
  /** Names an e-mail that must go at most once (within the company), e.g. `request-decided:42:rejected`. */
  onceKey?: string;
  /** Files to attach, built when the e-mail is sent (see EmailAttachments). */
  attachments?: EmailAttachmentRef[];
}

// Deliberately loose: the address was validated where the customer entered it; this
// only refuses what cannot be one address (blanks, lists, header-breaking characters).
const SINGLE_ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/** Queues e-mails; sending happens in a worker (see EmailProcessor). */
@Injectable()
export class EmailService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly renderer: EmailRenderer,
    private readonly preferences: NotificationPreferenceService,
    private readonly attachments: EmailAttachments,
  ) {
    const missing = Object.keys(EMAIL_TEMPLATES).filter((template) => !renderer.has(template));
    // Fails at start-up, e.g. when a build did not copy the .hbs files.
    if (missing.length > 0) throw new Error(`E-mail templates without files: ${missing.join(', ')}`);
  }

  /**
   * Records the e-mail in the caller's transaction; it is sent only if that
   * transaction commits. The job carries the email_log id only: the address and
   * params stay in PostgreSQL. Throws on an unknown template or bad params.
   */
  async queue<T extends EmailTemplate>(manager: EntityManager, email: EmailToQueue<T>): Promise<number> {
    const emailId = await this.insert(manager, email);
    if (emailId === null) throw new Error(`E-mail "${email.onceKey}" was queued before`);
    return emailId;
  }

  /** `queue` for an e-mail that must go at most once: null when one with its once key was queued before. */
  async queueOnce<T extends EmailTemplate>(
    manager: EntityManager,
    email: EmailToQueue<T> & Required<Pick<EmailToQueue<T>, 'onceKey'>>,
  ): Promise<number | null> {
    return this.insert(manager, email);
  }

  /**
   * `queue` for a notification, unless the customer turned its topic off, or an
   * e-mail with its once key exists: then nothing is queued and the answer is null.
   */
  async queueNotification<T extends EmailTemplate>(
    manager: EntityManager,
    email: EmailToQueue<T> & Required<Pick<EmailToQueue<T>, 'notification'>>,
  ): Promise<number | null> {
    const { customerId, topic } = email.notification;
    if (!(await this.preferences.wantsEmail(manager, email.companyId, customerId, topic))) return null;
    return this.insert(manager, email);
  }

  /** The email_log row and its outbox row; null when an e-mail with the same once key exists. */
  private async insert<T extends EmailTemplate>(manager: EntityManager, email: EmailToQueue<T>): Promise<number | null> {
    const params = this.checked(email);
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO email_log (company_id, template, language, recipient, params, customer_id, topic, once_key, attachments, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued')
       ON CONFLICT (company_id, once_key) WHERE once_key IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        email.companyId,
        email.template,
        email.language,
        email.to,
        params,
        email.notification?.customerId ?? null,
        email.notification?.topic ?? null,
        email.onceKey ?? null,
        email.attachments && email.attachments.length > 0 ? JSON.stringify(email.attachments) : null,
      ],
    );
    if (rows.length === 0) return null;
    const emailId = Number(rows[0].id);
    await addToOutbox(manager, JOBS.sendEmail, { emailId }, email.companyId);
    return emailId;
  }

  /**
   * `queue` for a batch, set-based: one statement takes the ids, one writes every
   * email_log row and the outbox rows of their send jobs, one job per company and
   * EMAIL_BATCH_SIZE e-mails (a range of ids; see EmailProcessor). Returns the ids in
   * the order of `emails`. Every e-mail is checked first, so one bad e-mail fails the
   * whole batch. Attachments and once keys are for `queue`, one e-mail at a time.
   */
  async queueMany(manager: EntityManager, emails: ReadonlyArray<EmailToQueue<EmailTemplate>>): Promise<number[]> {
    if (emails.length === 0) return [];
    const params = emails.map((email) => JSON.stringify(this.checked(email)));
    const ids: Array<{ id: string }> = await manager.query(
      `SELECT nextval(pg_get_serial_sequence('email_log', 'id')) AS id FROM generate_series(1, $1)`,
      [emails.length],
    );
    const emailIds = ids.map((row) => Number(row.id));
    const batches = sendBatches(
      emails.map((email, index) => ({ companyId: email.companyId, emailId: emailIds[index] })),
      this.config.EMAIL_BATCH_SIZE,
    );
    await manager.query(
      `WITH input AS (
         SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[])
                       AS x(id, company_id, template, language, recipient, params, customer_id, topic)
       ), emails AS (
         INSERT INTO email_log (id, company_id, template, language, recipient, params, customer_id, topic, status) OVERRIDING SYSTEM VALUE
         SELECT id, company_id, template, language, recipient, params::jsonb, customer_id, topic, 'queued' FROM input
       )
       INSERT INTO outbox (company_id, queue, job_name, payload)
       SELECT company_id, $9, $10, jsonb_build_object('companyId', company_id, 'firstEmailId', first_id, 'lastEmailId', last_id)
         FROM unnest($11::integer[], $12::bigint[], $13::bigint[]) AS b(company_id, first_id, last_id)`,
      [
        emailIds,
        emails.map((email) => email.companyId),
        emails.map((email) => email.template),
        emails.map((email) => email.language),
        emails.map((email) => email.to),
        params,
        emails.map((email) => email.notification?.customerId ?? null),
        emails.map((email) => email.notification?.topic ?? null),
        JOBS.sendEmailBatch.queue,
        JOBS.sendEmailBatch.name,
        batches.map((batch) => batch.companyId),
        batches.map((batch) => batch.firstEmailId),
        batches.map((batch) => batch.lastEmailId),
      ],
    );
    return emailIds;
  }

  /** The e-mail's params as checked by its template's schema; throws on anything unsendable. */
  private checked<T extends EmailTemplate>(email: EmailToQueue<T>): EmailParams<T> {
    const { template, language, to } = email;
    if (!Object.hasOwn(EMAIL_TEMPLATES, template) || !this.renderer.has(template)) {
      throw new Error(`Unknown e-mail template "${template}"`);
    }
    if (!EMAIL_LANGUAGES.includes(language)) throw new Error(`Unsupported e-mail language "${language}"`);
    if (to.length > 254 || !SINGLE_ADDRESS.test(to)) throw new Error('Not a single e-mail address');
    const unknownAttachment = email.attachments?.find((attachment) => !this.attachments.has(attachment.kind));
    if (unknownAttachment) throw new Error(`Unknown e-mail attachment kind "${unknownAttachment.kind}"`);
    const checked = EMAIL_TEMPLATES[template].safeParse(email.params);
    if (!checked.success) {
      const problems = checked.error.issues.map((issue) => `${issue.path.join('.') || 'params'} ${issue.message}`);
      throw new Error(`Invalid params for e-mail template "${template}": ${problems.join('; ')}`);
    }
    return checked.data as EmailParams<T>;
  }
}

/**
 * The send jobs of a batch of e-mails: per company, runs of at most `size` e-mails in
 * id order, each named by its first and last id. Another company's e-mail whose id
 * falls inside a run is not part of it (the job filters by company).
 */
export function sendBatches(
  emails: ReadonlyArray<{ companyId: number; emailId: number }>,
  size: number,
): Array<{ companyId: number; firstEmailId: number; lastEmailId: number }> {
  const byCompany = new Map<number, number[]>();
  for (const { companyId, emailId } of emails) {
    const ids = byCompany.get(companyId);
    if (ids) ids.push(emailId);
    else byCompany.set(companyId, [emailId]);
  }
  const batches: Array<{ companyId: number; firstEmailId: number; lastEmailId: number }> = [];
  for (const [companyId, ids] of byCompany) {
    ids.sort((a, b) => a - b);
    for (let start = 0; start < ids.length; start += size) {
      const run = ids.slice(start, start + size);
      batches.push({ companyId, firstEmailId: run[0], lastEmailId: run[run.length - 1] });
    }
  }
  return batches;
}
