import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique, UpdateDateColumn } from 'typeorm';
import { BigIntIdColumn } from '../../libs/typeorm/bigint-as-number';
import { Company } from './company.entity';

export const PAYMENT_METHODS = ['postal_order', 'bank_transfer', 'direct_debit', 'card'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const CUSTOMER_TYPES = ['household', 'business'] as const;
export type CustomerType = (typeof CUSTOMER_TYPES)[number];

/**
 * A customer of a company as the billing back office knows them (Ügyfél).
 * Billing master data: the portal changes it only by applying an approved request.
 */
@Entity('customers')
@Unique('customers_company_code_key', ['companyId', 'code'])
@Unique('customers_company_id_key', ['companyId', 'id'])
@Index('customers_company_name_idx', ['companyId', 'name', 'id'])
// The clerk's prefix search: (company_id, code text_pattern_ops) and (company_id, lower(name | email | address)
// text_pattern_ops). Operator classes and expressions TypeORM cannot describe; the migration owns them.
@Index('customers_code_prefix_idx', { synchronize: false })
@Index('customers_name_prefix_idx', { synchronize: false })
@Index('customers_email_prefix_idx', { synchronize: false })
@Index('customers_address_prefix_idx', { synchronize: false })
@ForeignKey(() => Company, ['companyId'], ['id'], { name: 'customers_company_id_fkey' })
@Check('customers_code_check', `code ~ '^[A-Z0-9]{2,20}$'`)
@Check('customers_name_check', `length(name) BETWEEN 1 AND 200`)
@Check('customers_email_check', `email IS NULL OR length(email) <= 254`)
@Check('customers_phone_check', `phone IS NULL OR length(phone) <= 40`)
@Check('customers_postcode_check', `postcode ~ '^[0-9]{4}$'`)
@Check('customers_town_check', `length(town) BETWEEN 1 AND 100`)
@Check('customers_address_check', `length(address) BETWEEN 1 AND 200`)
@Check('customers_customer_type_check', `customer_type IN ('household', 'business')`)
@Check('customers_payment_method_check', `payment_method IN ('postal_order', 'bank_transfer', 'direct_debit', 'card')`)
@Index('customers_external_ref_key', ['companyId', 'externalRef'], { unique: true, where: 'external_ref IS NOT NULL' })
@Check('customers_external_ref_check', `external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100`)
export class Customer {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  /** The customer code (Ügyfél azonosító), e.g. `SU0044`; unique within the company. */
  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @Column({ type: 'text', nullable: true })
  phone!: string | null;

  @Column({ type: 'text' })
  postcode!: string;

  @Column({ type: 'text' })
  town!: string;

  @Column({ type: 'text' })
  address!: string;

  @Column({ name: 'payment_method', type: 'text', default: 'postal_order' })
  paymentMethod!: PaymentMethod;

  @Column({ name: 'e_invoice', type: 'boolean', default: false })
  eInvoice!: boolean;

  /** Households and businesses owe different late-payment interest (Ptk. 6:48 and 6:155). */
  @Column({ name: 'customer_type', type: 'text', default: 'household' })
  customerType!: CustomerType;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** The billing back office's own id of the row (what its imports upsert by); null for rows the portal made. */
  @Column({ name: 'external_ref', type: 'text', nullable: true })
  externalRef!: string | null;
}
