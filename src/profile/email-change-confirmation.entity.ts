import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * A proposed data change that moves the e-mail address: it becomes a request only
 * when the customer opens the link sent to the new address. Only the token's SHA-256 is kept.
 */
@Entity('email_change_confirmations')
@Unique('email_change_confirmations_token_hash_key', ['tokenHash'])
@Index('email_change_confirmations_customer_idx', ['companyId', 'customerId', 'createdAt'])
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], {
  name: 'email_change_confirmations_company_id_customer_id_fkey',
  onDelete: 'CASCADE',
})
@Check('email_change_confirmations_token_hash_check', `token_hash ~ '^[0-9a-f]{64}$'`)
@Check('email_change_confirmations_email_check', `length(email) BETWEEN 3 AND 254`)
export class EmailChangeConfirmation {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  /** The new address the link went to. */
  @Column({ type: 'text' })
  email!: string;

  /** The data change as the customer sent it (DataChangePayload without the old values). */
  @Column({ type: 'jsonb' })
  changes!: Record<string, unknown>;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
