import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { numericAsNumber } from '../../libs/typeorm/numeric-as-number';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * The central bank base rate (jegybanki alapkamat) from a day on, a national fact
 * every company's interest rule reads; so it is the one table without a tenant:
 * company_id and clerk_id say who added a row (null for the migration's MNB history).
 */
@Entity('central_bank_base_rates')
@Index('central_bank_base_rates_clerk_idx', ['companyId', 'clerkId'])
@ForeignKey('Clerk', ['companyId', 'clerkId'], ['companyId', 'id'], { name: 'central_bank_base_rates_company_id_clerk_id_fkey' })
@Check('central_bank_base_rates_rate_check', `rate >= 0 AND rate < 100`)
@Check('central_bank_base_rates_check', `(company_id IS NULL) = (clerk_id IS NULL)`)
export class CentralBankBaseRate {
  /** 'YYYY-MM-DD', the day the rate took effect. */
  @PrimaryColumn({ name: 'valid_from', type: 'date' })
  validFrom!: string;

  /** Percent a year, e.g. 6.5. */
  @Column({ type: 'numeric', precision: 5, scale: 2, transformer: numericAsNumber })
  rate!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'company_id', type: 'integer', nullable: true })
  companyId!: number | null;

  @Column({ name: 'clerk_id', type: 'integer', nullable: true })
  clerkId!: number | null;
}
