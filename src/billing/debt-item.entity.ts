import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Invoice } from './invoice.entity';

export const DEBT_ITEM_KINDS = ['invoice', 'interest', 'reminder_fee'] as const;
export type DebtItemKind = (typeof DEBT_ITEM_KINDS)[number];

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * One line of a customer's balance (tartozás): an invoice's debt, interest
 * (kamat) or a reminder fee (felszólítási díj). Amounts in whole forints.
 */
@Entity('debt_items')
@Unique('debt_items_company_id_key', ['companyId', 'id'])
@Index('debt_items_customer_idx', ['companyId', 'customerId', 'bookedOn', 'id']) // booked_on DESC, id DESC in the migration
@Index('debt_items_invoice_idx', ['companyId', 'invoiceId'])
@Index('debt_items_customer_open_idx', ['companyId', 'customerId', 'openAmount'], { where: 'open_amount > 0' })
@Index('debt_items_external_ref_key', ['companyId', 'externalRef'], { unique: true, where: 'external_ref IS NOT NULL' })
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'debt_items_company_id_customer_id_fkey' })
@ForeignKey(() => Invoice, ['companyId', 'invoiceId'], ['companyId', 'id'], { name: 'debt_items_company_id_invoice_id_fkey' })
@Check('debt_items_kind_check', `kind IN ('invoice', 'interest', 'reminder_fee')`)
@Check('debt_items_reference_check', `length(reference) BETWEEN 1 AND 60`)
@Check('debt_items_description_check', `length(description) BETWEEN 1 AND 200`)
@Check('debt_items_external_ref_check', `external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100`)
@Check('debt_items_amount_check', `amount > 0`)
@Check('debt_items_check', `open_amount >= 0 AND open_amount <= amount`)
// An invoice debt has its invoice; a reminder fee has none; interest may have one.
@Check('debt_items_check1', `(kind = 'invoice') = (invoice_id IS NOT NULL) OR kind = 'interest'`)
export class DebtItem {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @Column({ name: 'invoice_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  invoiceId!: number | null;

  @Column({ type: 'text' })
  kind!: DebtItemKind;

  /** The back office's reference, e.g. the invoice number. */
  @Column({ type: 'text' })
  reference!: string;

  @Column({ type: 'text' })
  description!: string;

  /** 'YYYY-MM-DD' */
  @Column({ name: 'booked_on', type: 'date' })
  bookedOn!: string;

  @Column({ type: 'integer' })
  amount!: number;

  @Column({ name: 'open_amount', type: 'integer' })
  openAmount!: number;

  /**
   * The billing back office's own id of the item, unique within the company: an
   * import upserts by it. Null for items loaded without one.
   */
  @Column({ name: 'external_ref', type: 'text', nullable: true })
  externalRef!: string | null;
}
