import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Customer } from './customer.entity';

export const LANGUAGES = ['hu', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * A customer's portal login. Deleting the account removes this row only: the
 * billing records stay, and the customer can register again.
 */
@Entity('customer_accounts')
@Unique('customer_accounts_customer_key', ['companyId', 'customerId'])
// UNIQUE (company_id, lower(login_email)): an expression index TypeORM cannot describe; the migration owns it.
@Index('customer_accounts_company_email_key', { synchronize: false })
@ForeignKey(() => Customer, ['companyId', 'customerId'], ['companyId', 'id'], {
  name: 'customer_accounts_company_id_customer_id_fkey',
  onDelete: 'CASCADE',
})
@Check('customer_accounts_login_email_check', `length(login_email) BETWEEN 3 AND 254`)
@Check('customer_accounts_language_check', `language IN ('hu', 'en')`)
export class CustomerAccount {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  /** Unique per company regardless of case (compare with `lower(login_email)`). */
  @Column({ name: 'login_email', type: 'text' })
  loginEmail!: string;

  /** Null until the customer sets a password (e.g. an account created by a clerk). */
  @Column({ name: 'password_hash', type: 'text', nullable: true })
  passwordHash!: string | null;

  @Column({ name: 'email_verified_at', type: 'timestamptz', nullable: true })
  emailVerifiedAt!: Date | null;

  @Column({ type: 'text', default: 'hu' })
  language!: Language;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true })
  lastLoginAt!: Date | null;
}
