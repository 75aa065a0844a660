import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { MessageSegment } from './message-segment';

export const MESSAGE_BODY_FORMATS = ['plain', 'markdown'] as const;
export type MessageBodyFormat = (typeof MESSAGE_BODY_FORMATS)[number];

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * A message (üzenet) from the provider, stored once; whom it reached is in
 * message_recipients (fixed when it was sent). It was written either to one customer
 * (customer_id) or to a segment of the company's customers (segment; `{}` is everyone).
 */
@Entity('messages')
@Unique('messages_company_id_key', ['companyId', 'id'])
@Index('messages_inbox_idx', ['companyId', 'customerId', 'publishedAt', 'id']) // published_at DESC, id DESC in the migration
@Index('messages_sent_idx', ['companyId', 'publishedAt', 'id']) // published_at DESC, id DESC in the migration
@Index('messages_created_by_clerk_idx', ['companyId', 'createdByClerkId'])
@ForeignKey('Company', ['companyId'], ['id'], { name: 'messages_company_id_fkey' })
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'messages_company_id_customer_id_fkey' })
@ForeignKey('Clerk', ['companyId', 'createdByClerkId'], ['companyId', 'id'], { name: 'messages_company_id_created_by_clerk_id_fkey' })
@Check('messages_subject_check', `length(subject) BETWEEN 1 AND 200`)
@Check('messages_body_check', `length(body) BETWEEN 1 AND 10000`)
@Check('messages_body_format_check', `body_format IN ('plain', 'markdown')`)
@Check('messages_counts_check', `recipient_count >= 0 AND emails_queued >= 0`)
@Check('messages_audience_check', `(customer_id IS NULL) <> (segment IS NULL)`)
export class Message {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  /** The one customer it was written to; null for a message to a segment. */
  @Column({ name: 'customer_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  customerId!: number | null;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  body!: string;

  /** Plain text, or Markdown rendered without raw HTML. */
  @Column({ name: 'body_format', type: 'text', default: 'plain' })
  bodyFormat!: MessageBodyFormat;

  /** The filters of a message to many (`{}`: every customer of the company); null for one customer's. */
  @Column({ type: 'jsonb', nullable: true })
  segment!: MessageSegment | null;

  /** Defaults to the insert time; customers see it from then on. */
  @Column({ name: 'published_at', type: 'timestamptz', default: () => 'now()' })
  publishedAt!: Date;

  /** The clerk who wrote the message; null when no clerk did. */
  @Column({ name: 'created_by_clerk_id', type: 'integer', nullable: true })
  createdByClerkId!: number | null;

  /** How many customers it reached (its message_recipients rows). */
  @Column({ name: 'recipient_count', type: 'integer', default: 0 })
  recipientCount!: number;

  /** Whether an e-mail copy was asked for. */
  @Column({ name: 'by_email', type: 'boolean', default: false })
  byEmail!: boolean;

  /** E-mail copies queued: recipients with a verified login who did not turn provider_message off. */
  @Column({ name: 'emails_queued', type: 'integer', default: 0 })
  emailsQueued!: number;
}
