import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Customer } from './customer.entity';

export const ACCOUNT_TOKEN_PURPOSES = ['verify_email', 'reset_password'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/** A single-use e-mailed link (verification or password reset); only the token's SHA-256 is kept. */
@Entity('account_tokens')
@Unique('account_tokens_token_hash_key', ['tokenHash'])
@Index('account_tokens_customer_idx', ['companyId', 'customerId', 'purpose'])
@ForeignKey(() => Customer, ['companyId', 'customerId'], ['companyId', 'id'], {
  name: 'account_tokens_company_id_customer_id_fkey',
  onDelete: 'CASCADE',
})
@Check('account_tokens_purpose_check', `purpose IN ('verify_email', 'reset_password')`)
@Check('account_tokens_token_hash_check', `token_hash ~ '^[0-9a-f]{64}$'`)
@Check('account_tokens_email_check', `length(email) BETWEEN 3 AND 254`)
export class AccountToken {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @Column({ type: 'text' })
  purpose!: AccountTokenPurpose;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @Column({ type: 'text' })
  email!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
