import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { FeedItemType, FeedPayload } from './feed-types';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * One decision of the portal for the billing back office, append-only. `seq` numbers a
 * company's items in commit order (given after the commit, see sequenceFeed): it is the feed's cursor.
 */
@Entity('integration_feed')
@Index('integration_feed_unsequenced_idx', ['companyId', 'id'], { where: 'seq IS NULL' })
@ForeignKey('Company', ['companyId'], ['id'], { name: 'integration_feed_company_id_fkey' })
@Unique('integration_feed_company_id_seq_key', ['companyId', 'seq'])
@Unique('integration_feed_company_id_source_key_key', ['companyId', 'sourceKey'])
@Check('integration_feed_seq_check', `seq > 0`)
@Check(
  'integration_feed_type_check',
  `type IN ('reading.applied', 'customer_data.changed', 'e_invoice.consent', 'payment.recorded', 'payment.allocated', 'account.deleted')`,
)
@Check('integration_feed_source_key_check', `length(source_key) BETWEEN 1 AND 200`)
export class FeedItem {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  /** Null until sequenced: a reader never sees an unsequenced item. */
  @Column({ type: 'bigint', nullable: true, transformer: bigintAsNumber })
  seq!: number | null;

  @Column({ type: 'text' })
  type!: FeedItemType;

  @Column({ name: 'source_key', type: 'text' })
  sourceKey!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'jsonb' })
  payload!: FeedPayload;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
