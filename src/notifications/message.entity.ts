import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** A message (üzenet) from the provider. With no customer it goes to every customer of the company. */
@Entity('messages')
@Unique('messages_company_id_key', ['companyId', 'id'])
@Index('messages_inbox_idx', ['companyId', 'customerId', 'publishedAt', 'id']) // published_at DESC, id DESC in the migration
@Index('messages_created_by_clerk_idx', ['companyId', 'createdByClerkId'])
@ForeignKey('Company', ['companyId'], ['id'], { name: 'messages_company_id_fkey' })
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'messages_company_id_customer_id_fkey' })
@ForeignKey('Clerk', ['companyId', 'createdByClerkId'], ['companyId', 'id'], { name: 'messages_company_id_created_by_clerk_id_fkey' })
@Check('messages_subject_check', `length(subject) BETWEEN 1 AND 200`)
@Check('messages_body_check', `length(body) BETWEEN 1 AND 10000`)
export class Message {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  /** Null: a message to every customer of the company. */
  @Column({ name: 'customer_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  customerId!: number | null;

  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'text' })
  body!: string;

  /** Defaults to the insert time; customers see it from then on. */
  @Column({ name: 'published_at', type: 'timestamptz', default: () => 'now()' })
  publishedAt!: Date;

  /** The clerk who wrote the message; null when no clerk did. */
  @Column({ name: 'created_by_clerk_id', type: 'integer', nullable: true })
  createdByClerkId!: number | null;
}
