import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * A URL the company's feed is pushed to, item by item in `seq` order. The signing
 * secret is sealed (AES-256-GCM): signing needs it, so it cannot be hashed.
 */
@Entity('webhook_endpoints')
@ForeignKey('Company', ['companyId'], ['id'], { name: 'webhook_endpoints_company_id_fkey' })
@Index('webhook_endpoints_company_idx', ['companyId', 'id'])
@Check('webhook_endpoints_url_check', `length(url) BETWEEN 8 AND 2000`)
@Check('webhook_endpoints_delivered_seq_check', `delivered_seq >= 0`)
export class WebhookEndpoint {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ type: 'text' })
  url!: string;

  @Column({ name: 'secret_sealed', type: 'text' })
  secretSealed!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** The last feed item this endpoint answered 2xx to; starts at the feed's head when registered. */
  @Column({ name: 'delivered_seq', type: 'bigint', transformer: bigintAsNumber })
  deliveredSeq!: number;

  /** Failed attempts at the next item since the last success. */
  @Column({ name: 'failure_count', type: 'integer', default: 0 })
  failureCount!: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'last_attempt_at', type: 'timestamptz', nullable: true })
  lastAttemptAt!: Date | null;

  /** Set when every retry failed: deliveries wait for an admin's retry. */
  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
