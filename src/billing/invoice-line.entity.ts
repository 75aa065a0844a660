import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { numericAsNumber } from '../../libs/typeorm/numeric-as-number';
import { Invoice } from './invoice.entity';

/** One line item of an invoice (tétel). Amounts in whole forints; the lines' gross amounts add up to the invoice's gross total. */
@Entity('invoice_lines')
@ForeignKey(() => Invoice, ['companyId', 'invoiceId'], ['companyId', 'id'], {
  name: 'invoice_lines_company_id_invoice_id_fkey',
  onDelete: 'CASCADE',
})
@Check('invoice_lines_line_no_check', `line_no BETWEEN 1 AND 999`)
@Check('invoice_lines_description_check', `length(description) BETWEEN 1 AND 200`)
@Check('invoice_lines_unit_check', `length(unit) BETWEEN 1 AND 20`)
@Check('invoice_lines_vat_rate_check', `vat_rate BETWEEN 0 AND 100`)
@Check('invoice_lines_check', `net_amount + vat_amount = gross_amount`)
export class InvoiceLine {
  @PrimaryColumn({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @PrimaryColumn({ name: 'invoice_id', type: 'bigint', transformer: bigintAsNumber })
  invoiceId!: number;

  /** The line's place on the invoice, from 1. */
  @PrimaryColumn({ name: 'line_no', type: 'smallint' })
  lineNo!: number;

  @Column({ type: 'text' })
  description!: string;

  @Column({ type: 'numeric', precision: 14, scale: 3, transformer: numericAsNumber })
  quantity!: number;

  /** As printed: m³, GJ, hó (month), db… */
  @Column({ type: 'text' })
  unit!: string;

  /** Net unit price in forints (may have fractions). */
  @Column({ name: 'unit_price', type: 'numeric', precision: 14, scale: 4, transformer: numericAsNumber })
  unitPrice!: number;

  /** VAT rate in percent (5 for district heating, 27 for water…). */
  @Column({ name: 'vat_rate', type: 'smallint' })
  vatRate!: number;

  @Column({ name: 'net_amount', type: 'integer' })
  netAmount!: number;

  @Column({ name: 'vat_amount', type: 'integer' })
  vatAmount!: number;

  @Column({ name: 'gross_amount', type: 'integer' })
  grossAmount!: number;
}
