import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { numericAsNumber } from '../../libs/typeorm/numeric-as-number';

export const INVOICE_TYPES = ['district_heating', 'hot_water', 'water', 'gas'] as const;
export type InvoiceType = (typeof INVOICE_TYPES)[number];

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** An invoice (számla) issued by the billing back office. Amounts in whole forints. */
@Entity('invoices')
@Unique('invoices_company_id_key', ['companyId', 'id'])
@Index('invoices_customer_idx', ['companyId', 'customerId', 'dueOn', 'id']) // due_on DESC, id DESC in the migration
@Index('invoices_open_due_idx', ['companyId', 'dueOn'], { where: 'open_amount > 0' })
@Index('invoices_customer_open_idx', ['companyId', 'customerId', 'dueOn'], { where: 'open_amount > 0' })
@Index('invoices_service_point_idx', ['companyId', 'servicePointId'])
// UNIQUE (company_id, invoice_number text_pattern_ops): a number once per company, and the clerk's prefix search;
// an operator class TypeORM cannot describe.
@Index('invoices_number_prefix_idx', { synchronize: false })
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'invoices_company_id_customer_id_fkey' })
@ForeignKey('ServicePoint', ['companyId', 'servicePointId'], ['companyId', 'id'], {
  name: 'invoices_company_id_service_point_id_fkey',
})
@Check('invoices_invoice_number_check', `length(invoice_number) BETWEEN 1 AND 40`)
@Check('invoices_type_check', `type IN ('district_heating', 'hot_water', 'water', 'gas')`)
@Check('invoices_gross_total_check', `gross_total >= 0`)
@Check('invoices_check', `open_amount >= 0 AND open_amount <= gross_total`)
@Check('invoices_check1', `due_on >= issued_on`)
@Check('invoices_consumption_check', `consumption IS NULL OR consumption >= 0`)
@Check('invoices_consumption_unit_check', `consumption_unit IS NULL OR consumption_unit IN ('m3', 'kWh', 'GJ')`)
@Check('invoices_consumption_check1', `(consumption IS NULL) = (consumption_unit IS NULL)`)
@Index('invoices_external_ref_key', ['companyId', 'externalRef'], { unique: true, where: 'external_ref IS NOT NULL' })
@Check('invoices_external_ref_check', `external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100`)
@Check('invoices_content_hash_check', `content_hash IS NULL OR content_hash ~ '^[0-9a-f]{64}$'`)
export class Invoice {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @Column({ name: 'service_point_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  servicePointId!: number | null;

  /** Számlaszám; unique within the company. */
  @Column({ name: 'invoice_number', type: 'text' })
  invoiceNumber!: string;

  @Column({ type: 'text' })
  type!: InvoiceType;

  /** The billing period the invoice is for (e.g. 2014/11), stored as a date 'YYYY-MM-DD'. */
  @Column({ type: 'date' })
  period!: string;

  /** 'YYYY-MM-DD' */
  @Column({ name: 'issued_on', type: 'date' })
  issuedOn!: string;

  /** Fizetési határidő, 'YYYY-MM-DD'. */
  @Column({ name: 'due_on', type: 'date' })
  dueOn!: string;

  @Column({ name: 'gross_total', type: 'integer' })
  grossTotal!: number;

  /** What is still to pay; 0 means settled. */
  @Column({ name: 'open_amount', type: 'integer' })
  openAmount!: number;

  /** The consumption the invoice bills (fogyasztás), when it bills one. */
  @Column({ type: 'numeric', precision: 14, scale: 3, nullable: true, transformer: numericAsNumber })
  consumption!: number | null;

  @Column({ name: 'consumption_unit', type: 'text', nullable: true })
  consumptionUnit!: 'm3' | 'kWh' | 'GJ' | null;

  /** The billing back office's own id of the row (what its imports upsert by); null for rows the portal made. */
  @Column({ name: 'external_ref', type: 'text', nullable: true })
  externalRef!: string | null;

  /** SHA-256 of an imported invoice's lines, VAT summary and PDF: a re-sent invoice with the same ones is unchanged. */
  @Column({ name: 'content_hash', type: 'text', nullable: true })
  contentHash!: string | null;
}
