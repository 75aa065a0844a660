import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Invoice } from './invoice.entity';

/** The invoice's VAT summary (ÁFA-összesítő): one row per VAT rate, as the issuer computed it. */
@Entity('invoice_vat_summaries')
@ForeignKey(() => Invoice, ['companyId', 'invoiceId'], ['companyId', 'id'], {
  name: 'invoice_vat_summaries_company_id_invoice_id_fkey',
  onDelete: 'CASCADE',
})
@Check('invoice_vat_summaries_vat_rate_check', `vat_rate BETWEEN 0 AND 100`)
@Check('invoice_vat_summaries_check', `net_amount + vat_amount = gross_amount`)
export class InvoiceVatSummary {
  @PrimaryColumn({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @PrimaryColumn({ name: 'invoice_id', type: 'bigint', transformer: bigintAsNumber })
  invoiceId!: number;

  @PrimaryColumn({ name: 'vat_rate', type: 'smallint' })
  vatRate!: number;

  @Column({ name: 'net_amount', type: 'integer' })
  netAmount!: number;

  @Column({ name: 'vat_amount', type: 'integer' })
  vatAmount!: number;

  @Column({ name: 'gross_amount', type: 'integer' })
  grossAmount!: number;
}
