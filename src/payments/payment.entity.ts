import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';

/** created → started → succeeded | failed | cancelled | expired; see payment-state.ts. */
export const PAYMENT_STATUSES = ['created', 'started', 'succeeded', 'failed', 'cancelled', 'expired'] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

export const PAYMENT_GATEWAYS = ['simplepay'] as const;
export type PaymentGatewayName = (typeof PAYMENT_GATEWAYS)[number];

const bigintArray = {
  to: (value: number[]) => value,
  from: (value: string[]) => value.map(Number),
};

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** A card payment (befizetés) started in the portal; amounts in whole forints. */
@Entity('payments')
@Unique('payments_company_id_key', ['companyId', 'id'])
@Unique('payments_order_ref_key', ['orderRef'])
@Index('payments_customer_idx', ['companyId', 'customerId', 'createdAt', 'id']) // created_at DESC, id DESC in the migration
@Index('payments_company_created_idx', ['companyId', 'createdAt', 'id']) // created_at DESC, id DESC in the migration
@Index('payments_flagged_idx', ['companyId', 'createdAt', 'id'], { where: 'flagged' }) // created_at DESC, id DESC in the migration
@Index('payments_started_idx', ['expiresAt', 'id'], { where: `status IN ('created', 'started')` })
@Index('payments_gateway_reference_key', ['gateway', 'gatewayReference'], { unique: true, where: 'gateway_reference IS NOT NULL' })
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'payments_company_id_customer_id_fkey' })
@Check('payments_amount_check', `amount > 0`)
@Check('payments_status_check', `status IN ('created', 'started', 'succeeded', 'failed', 'cancelled', 'expired')`)
@Check('payments_check', `(status = 'succeeded') = (confirmed_at IS NOT NULL)`)
@Check('payments_gateway_check', `gateway IN ('simplepay')`)
@Check('payments_currency_check', `currency ~ '^[A-Z]{3}$'`)
@Check('payments_language_check', `language IN ('hu', 'en')`)
@Check('payments_paid_amount_check', `paid_amount IS NULL OR paid_amount >= 0`)
@Check('payments_flag_reason_check', `flag_reason IS NULL OR length(flag_reason) <= 200`)
export class Payment {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  /** What the customer selected and the bank was asked for. */
  @Column({ type: 'integer' })
  amount!: number;

  @Column({ type: 'text', default: 'HUF' })
  currency!: string;

  @Column({ type: 'text' })
  status!: PaymentStatus;

  @Column({ type: 'text', default: 'simplepay' })
  gateway!: PaymentGatewayName;

  /** The order reference the bank knows the payment by (SimplePay `orderRef`). */
  @Column({ name: 'order_ref', type: 'uuid' })
  orderRef!: string;

  /** The bank's transaction id; unique per gateway once known. */
  @Column({ name: 'gateway_reference', type: 'text', nullable: true })
  gatewayReference!: string | null;

  /** The debt items the customer selected, in the order they are settled. */
  @Column({ name: 'debt_item_ids', type: 'bigint', array: true, transformer: bigintArray })
  debtItemIds!: number[];

  @Column({ type: 'text', default: 'hu' })
  language!: 'hu' | 'en';

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  /** The bank's deadline for the card page; the reconciler expires the payment after it. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  /** Set exactly when the status is succeeded. */
  @Column({ name: 'confirmed_at', type: 'timestamptz', nullable: true })
  confirmedAt!: Date | null;

  /** When a final state was reached. */
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** What the bank reported as paid (may differ from `amount`: then the payment is flagged). */
  @Column({ name: 'paid_amount', type: 'integer', nullable: true })
  paidAmount!: number | null;

  @Column({ name: 'paid_currency', type: 'text', nullable: true })
  paidCurrency!: string | null;

  /** Needs a clerk: the money is recorded but not allocated. */
  @Column({ type: 'boolean', default: false })
  flagged!: boolean;

  @Column({ name: 'flag_reason', type: 'text', nullable: true })
  flagReason!: string | null;
}
