import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Customer } from '../identity/customer.entity';

export const PAYMENT_STATUSES = ['pending', 'confirmed', 'failed', 'cancelled'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** A payment (befizetés) started in the portal; amounts in whole forints. */
@Entity('payments')
@Unique('payments_company_id_key', ['companyId', 'id'])
@Index('payments_customer_idx', ['companyId', 'customerId', 'createdAt', 'id']) // created_at DESC, id DESC in the migration
@Index('payments_gateway_reference_key', ['companyId', 'gatewayReference'], { unique: true, where: 'gateway_reference IS NOT NULL' })
@ForeignKey(() => Customer, ['companyId', 'customerId'], ['companyId', 'id'], { name: 'payments_company_id_customer_id_fkey' })
@Check('payments_amount_check', `amount > 0`)
@Check('payments_status_check', `status IN ('pending', 'confirmed', 'failed', 'cancelled')`)
@Check('payments_check', `(status = 'confirmed') = (confirmed_at IS NOT NULL)`)
export class Payment {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @Column({ type: 'integer' })
  amount!: number;

  @Column({ type: 'text' })
  status!: PaymentStatus;

  /** The payment gateway's id for this payment; unique within the company once known. */
  @Column({ name: 'gateway_reference', type: 'text', nullable: true })
  gatewayReference!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Set exactly when the status is confirmed. */
  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;
}
