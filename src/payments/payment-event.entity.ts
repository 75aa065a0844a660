import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Payment } from './payment.entity';

export const PAYMENT_EVENTS = [
  'started',
  'succeeded',
  'failed',
  'cancelled',
  'expired',
  'flagged',
  'allocated',
  'allocated_by_clerk',
] as const;
export type PaymentEventName = (typeof PAYMENT_EVENTS)[number];
export const PAYMENT_ACTOR_KINDS = ['customer', 'bank', 'system', 'clerk'] as const;
export type PaymentActorKind = (typeof PAYMENT_ACTOR_KINDS)[number];

/** One entry of a payment's append-only trail: a state change, or a clerk's manual allocation (the audit event). */
@Entity('payment_events')
@Index('payment_events_payment_idx', ['companyId', 'paymentId', 'id'])
@ForeignKey(() => Payment, ['companyId', 'paymentId'], ['companyId', 'id'], { name: 'payment_events_company_id_payment_id_fkey' })
@Check(
  'payment_events_event_check',
  `event IN ('started', 'succeeded', 'failed', 'cancelled', 'expired', 'flagged', 'allocated', 'allocated_by_clerk')`,
)
@Check('payment_events_actor_kind_check', `actor_kind IN ('customer', 'bank', 'system', 'clerk')`)
@Check('payment_events_detail_check', `detail IS NULL OR length(detail) <= 500`)
export class PaymentEvent {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'payment_id', type: 'bigint', transformer: bigintAsNumber })
  paymentId!: number;

  @Column({ type: 'text' })
  event!: PaymentEventName;

  @Column({ name: 'actor_kind', type: 'text' })
  actorKind!: PaymentActorKind;

  @Column({ name: 'actor_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  actorId!: number | null;

  /** A short, non-secret note (the bank's status, the reason of a flag). */
  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
