import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique, UpdateDateColumn } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';

export const RECEIVED_PAYMENT_METHODS = ['bank_transfer', 'cash', 'postal_order', 'direct_debit'] as const;
export type ReceivedPaymentMethod = (typeof RECEIVED_PAYMENT_METHODS)[number];

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * A payment received elsewhere than the portal (bank transfer, cash, postal order, direct
 * debit), as the billing back office reports it. The open amounts it settled come with the
 * back office's debt items; this row is the record the customer and the clerk see.
 */
@Entity('received_payments')
@Unique('received_payments_external_ref_key', ['companyId', 'externalRef'])
@Index('received_payments_customer_idx', ['companyId', 'customerId', 'paidOn', 'id']) // paid_on DESC, id DESC in the migration
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'received_payments_company_id_customer_id_fkey' })
@Check('received_payments_external_ref_check', `length(external_ref) BETWEEN 1 AND 100`)
@Check('received_payments_method_check', `method IN ('bank_transfer', 'cash', 'postal_order', 'direct_debit')`)
@Check('received_payments_amount_check', `amount > 0`)
@Check('received_payments_reference_check', `reference IS NULL OR length(reference) BETWEEN 1 AND 100`)
export class ReceivedPayment {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  /** The back office's own id of the payment. */
  @Column({ name: 'external_ref', type: 'text' })
  externalRef!: string;

  @Column({ type: 'text' })
  method!: ReceivedPaymentMethod;

  /** Whole forints. */
  @Column({ type: 'integer' })
  amount!: number;

  /** 'YYYY-MM-DD' */
  @Column({ name: 'paid_on', type: 'date' })
  paidOn!: string;

  /** The bank's or the post's reference, when there is one. */
  @Column({ type: 'text', nullable: true })
  reference!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
