import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { EmailAttachmentRef } from './email-attachments';
import { EmailLanguage } from './email-templates';
import { NotificationTopic } from './notification-preference.entity';

export const EMAIL_STATUSES = ['queued', 'sent', 'failed'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** One e-mail the portal queued: what to send to whom, and how sending went. */
@Entity('email_log')
@Index('email_log_company_idx', ['companyId', 'createdAt', 'id']) // created_at DESC, id DESC in the migration
@Index('email_log_customer_idx', ['companyId', 'customerId'])
@Index('email_log_once_key', ['companyId', 'onceKey'], { unique: true, where: 'once_key IS NOT NULL' })
@Check('email_log_once_key_check', `length(once_key) <= 200`)
@Check('email_log_language_check', `language IN ('hu', 'en')`)
@Check('email_log_recipient_check', `length(recipient) BETWEEN 3 AND 254`)
@Check('email_log_status_check', `status IN ('queued', 'sent', 'failed')`)
@Check(
  'email_log_topic_check',
  `topic IS NULL OR topic IN ('reading_recorded', 'address_changed', 'contract_ended', 'invoice_issued', 'provider_reading_date', ` +
    `'reading_window_due', 'payment_checked', 'invoice_overdue', 'due_date_reminder', 'provider_message')`,
)
@Check('email_log_attachments_check', `attachments IS NULL OR jsonb_typeof(attachments) = 'array'`)
@Check('email_log_check', `(topic IS NULL) = (customer_id IS NULL)`)
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'email_log_company_id_customer_id_fkey' })
export class EmailLog {
  @BigIntIdColumn()
  id!: number;

  // By table name, so this module needs no entity of the identity module.
  @ForeignKey('companies', { name: 'email_log_company_id_fkey' })
  @Column({ name: 'company_id', type: 'integer', nullable: true })
  companyId!: number | null;

  /** The customer a notification is for; null for e-mails no one can turn off. */
  @Column({ name: 'customer_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  customerId!: number | null;

  /** The notification topic the customer can turn off (with the e-mail's unsubscribe link). */
  @Column({ type: 'text', nullable: true })
  topic!: NotificationTopic | null;

  /** Names an e-mail that goes at most once per company; queueing the same key again adds nothing. */
  @Column({ name: 'once_key', type: 'text', nullable: true })
  onceKey!: string | null;

  /** A folder under `templates/`, e.g. `password-reset`. */
  @Column({ type: 'text' })
  template!: string;

  @Column({ type: 'text' })
  language!: EmailLanguage;

  @Column({ type: 'text' })
  recipient!: string;

  /** The template's params, checked when queued. */
  @Column({ type: 'jsonb' })
  params!: Record<string, unknown>;

  /** Files the e-mail carries, by name; built when it is sent (see EmailAttachments). */
  @Column({ type: 'jsonb', nullable: true })
  attachments!: EmailAttachmentRef[] | null;

  @Column({ type: 'text' })
  status!: EmailStatus;

  /** SMTP attempts made so far, failed or not. */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  /** The Message-ID the e-mail went out with, to trace it in the mail server's logs. */
  @Column({ name: 'message_id', type: 'text', nullable: true })
  messageId!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt!: Date | null;
}
