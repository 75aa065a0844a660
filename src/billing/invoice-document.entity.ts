import { Check, Column, CreateDateColumn, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Invoice } from './invoice.entity';

/** Largest back-office invoice PDF the portal keeps (5 MiB). */
export const MAX_INVOICE_DOCUMENT_BYTES = 5 * 1024 * 1024;

/** The billing back office's own PDF of an invoice: when there is one, the portal serves it instead of its rendering. */
@Entity('invoice_documents')
@ForeignKey(() => Invoice, ['companyId', 'invoiceId'], ['companyId', 'id'], {
  name: 'invoice_documents_company_id_invoice_id_fkey',
  onDelete: 'CASCADE',
})
@Check('invoice_documents_pdf_check', `octet_length(pdf) BETWEEN 5 AND 5242880`)
export class InvoiceDocument {
  @PrimaryColumn({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @PrimaryColumn({ name: 'invoice_id', type: 'bigint', transformer: bigintAsNumber })
  invoiceId!: number;

  @Column({ type: 'bytea' })
  pdf!: Buffer;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}
