import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Payment } from './payment.entity';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** The part of a confirmed payment that settles one debt item. */
@Entity('payment_allocations')
@Unique('payment_allocations_once_key', ['paymentId', 'debtItemId'])
@Index('payment_allocations_debt_item_idx', ['companyId', 'debtItemId'])
@ForeignKey(() => Payment, ['companyId', 'paymentId'], ['companyId', 'id'], { name: 'payment_allocations_company_id_payment_id_fkey' })
@ForeignKey('DebtItem', ['companyId', 'debtItemId'], ['companyId', 'id'], {
  name: 'payment_allocations_company_id_debt_item_id_fkey',
})
@Check('payment_allocations_amount_check', `amount > 0`)
export class PaymentAllocation {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'payment_id', type: 'bigint', transformer: bigintAsNumber })
  paymentId!: number;

  @Column({ name: 'debt_item_id', type: 'bigint', transformer: bigintAsNumber })
  debtItemId!: number;

  @Column({ type: 'integer' })
  amount!: number;
}
