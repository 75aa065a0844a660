import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { addToOutbox } from '../../libs/outbox/outbox';
import { JOBS } from '../jobs';
import { AllocatableItem, allocateOldestFirst, Allocation } from './allocation';
import { GatewayError, GatewayState, PAYMENT_GATEWAY, PaymentGateway } from './payment-gateway';
import { PaymentActorKind, PaymentEventName } from './payment-event.entity';
import { isFinal, nextPaymentStatus } from './payment-state';
import { isOrderRef } from './payment-urls';
import { PaymentStatus } from './payment.entity';

interface LockedPayment {
  id: number;
  companyId: number;
  customerId: number;
  status: PaymentStatus;
  amount: number;
  currency: string;
  debtItemIds: number[];
  gatewayReference: string | null;
}

export interface PaymentActor {
  kind: PaymentActorKind;
  id: number | null;
}

const BANK: PaymentActor = { kind: 'bank', id: null };

/** Appends to a payment's trail, in the caller's transaction. */
export async function recordPaymentEvent(
  manager: EntityManager,
  payment: { id: number; companyId: number },
  event: PaymentEventName,
  actor: PaymentActor,
  detail: string | null,
): Promise<void> {
  await manager.query(
    `INSERT INTO payment_events (company_id, payment_id, event, actor_kind, actor_id, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
    [payment.companyId, payment.id, event, actor.kind, actor.id, detail === null ? null : detail.slice(0, 500)],
  );
}

/**
 * Applies money to open debt items in the caller's transaction: allocation rows, the
 * items' open amounts and, for an invoice's own debt item, the invoice's open amount.
 * The items must be locked by the caller.
 */
export async function applyAllocations(
  manager: EntityManager,
  payment: { id: number; companyId: number },
  allocations: readonly Allocation[],
): Promise<void> {
  if (allocations.length === 0) return;
  const ids = allocations.map((a) => a.debtItemId);
  const amounts = allocations.map((a) => a.amount);
  await manager.query(
    `INSERT INTO payment_allocations (company_id, payment_id, debt_item_id, amount)
     SELECT $1, $2, item, amount FROM unnest($3::bigint[], $4::int[]) AS a(item, amount)`,
    [payment.companyId, payment.id, ids, amounts],
  );
  await manager.query(
    `UPDATE debt_items d SET open_amount = d.open_amount - a.amount
       FROM unnest($2::bigint[], $3::int[]) AS a(item, amount)
      WHERE d.company_id = $1 AND d.id = a.item`,
    [payment.companyId, ids, amounts],
  );
  await manager.query(
    `UPDATE invoices i SET open_amount = GREATEST(i.open_amount - s.amount, 0)
       FROM (SELECT d.invoice_id, sum(a.amount)::int AS amount
               FROM unnest($2::bigint[], $3::int[]) AS a(item, amount)
               JOIN debt_items d ON d.company_id = $1 AND d.id = a.item AND d.kind = 'invoice'
              GROUP BY d.invoice_id) AS s
      WHERE i.company_id = $1 AND i.id = s.invoice_id`,
    [payment.companyId, ids, amounts],
  );
}

/**
 * Records what the bank says about a payment. Every path (IPN, browser return,
 * reconciler) ends here with the bank's answer to a status query, never with the
 * content of a message. A success is recorded once, in one transaction: the
 * payment, its allocation (oldest first), the items' and invoices' open amounts,
 * the trail, and outbox rows for the receipt and the export. The payment row is
 * locked first, so a second or concurrent confirmation finds it succeeded and
 * changes nothing.
 */
@Injectable()
export class PaymentSettlement {
  private readonly logger = new Logger(PaymentSettlement.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
  ) {}

  /**
   * Asks the bank about the payment with this order reference (of the company with
   * this code) and records the answer. Returns the payment's status afterwards, or
   * null when the portal has no such payment for the company.
   */
  async refresh(companyCode: string, orderRef: string, actor: PaymentActor = BANK): Promise<PaymentStatus | null> {
    if (!isOrderRef(orderRef)) return null;
    const [payment] = (await this.dataSource.query(
      `SELECT p.id, p.status FROM payments p JOIN companies c ON c.id = p.company_id WHERE p.order_ref = $1::uuid AND c.code = $2`,
      [orderRef, companyCode],
    )) as Array<{ id: string; status: PaymentStatus }>;
    if (!payment) return null;
    if (payment.status === 'succeeded') return payment.status;
    const state = await this.gateway.query(companyCode, orderRef);
    if (!state) return payment.status;
    return this.record(Number(payment.id), state, actor);
  }

  /** Records the bank's state of a payment (found by id); returns the status afterwards. */
  async record(paymentId: number, state: GatewayState, actor: PaymentActor = BANK): Promise<PaymentStatus> {
    return this.dataSource.transaction(async (manager) => {
      const payment = await this.lock(manager, paymentId);
      if (payment.gatewayReference !== null && payment.gatewayReference !== state.transactionId) {
        this.logger.warn(
          { paymentId, transactionId: state.transactionId },
          'the bank reported another transaction for this order; ignored',
        );
        return payment.status;
      }
      const next = nextPaymentStatus(payment.status, state.outcome);
      if (next === null) return payment.status;
      if (next !== 'succeeded') {
        await manager.query(
          `UPDATE payments SET status = $2, finished_at = CASE WHEN $3 THEN now() END, updated_at = now() WHERE id = $1`,
          [payment.id, next, isFinal(next)],
        );
        await recordPaymentEvent(manager, payment, next as PaymentEventName, actor, state.bankStatus);
        return next;
      }
      await this.recordSuccess(manager, payment, state, actor);
      return next;
    });
  }

  /**
   * Expires a payment the bank no longer takes (its deadline passed) and never
   * finished. Returns whether it changed.
   */
  async expire(paymentId: number, detail: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const payment = await this.lock(manager, paymentId);
      const next = nextPaymentStatus(payment.status, 'expired');
      if (next === null) return false;
      await manager.query(`UPDATE payments SET status = 'expired', finished_at = now(), updated_at = now() WHERE id = $1`, [payment.id]);
      await recordPaymentEvent(manager, payment, 'expired', { kind: 'system', id: null }, detail);
      return true;
    });
  }

  /**
   * One round of reconciliation: payments left in created or started that have not
   * changed for a while (or whose deadline passed) are queried; those the bank still
   * holds open past their deadline plus `graceMs` are expired. Returns how many changed.
   */
  async reconcile(options: { quietMs: number; graceMs: number; limit: number }): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT p.id, p.order_ref::text AS order_ref, p.status, p.expires_at, c.code AS company_code
         FROM payments p JOIN companies c ON c.id = p.company_id
        WHERE p.status IN ('created', 'started')
          AND (p.updated_at < now() - make_interval(secs => $1::float8 / 1000) OR p.expires_at < now())
        ORDER BY p.expires_at NULLS FIRST, p.id
        LIMIT $2`,
      [options.quietMs, options.limit],
    )) as Array<{ id: string; order_ref: string; status: PaymentStatus; expires_at: Date | null; company_code: string }>;
    let changed = 0;
    for (const row of rows) {
      const overdue = row.expires_at === null || row.expires_at.getTime() + options.graceMs < Date.now();
      try {
        const state = row.status === 'started' ? await this.gateway.query(row.company_code, row.order_ref) : null;
        const before = row.status;
        const after = state ? await this.record(Number(row.id), state, { kind: 'system', id: null }) : before;
        if (after !== before) changed += 1;
        else if (
          overdue &&
          (await this.expire(Number(row.id), state ? `bank still says ${state.bankStatus}` : 'the bank never started it'))
        ) {
          changed += 1;
        } else {
          await this.dataSource.query(`UPDATE payments SET updated_at = now() WHERE id = $1 AND status = $2`, [row.id, before]);
        }
      } catch (error) {
        // One bank error must not stop the round; the payment is tried again next time.
        if (!(error instanceof GatewayError)) throw error;
        this.logger.warn({ paymentId: Number(row.id), err: error.message }, 'could not ask the bank; will retry');
      }
    }
    return changed;
  }

  private async lock(manager: EntityManager, paymentId: number): Promise<LockedPayment> {
    const [row] = (await manager.query(
      `SELECT id, company_id, customer_id, status, amount, currency, debt_item_ids, gateway_reference FROM payments WHERE id = $1 FOR UPDATE`,
      [paymentId],
    )) as Array<{
      id: string;
      company_id: number;
      customer_id: string;
      status: PaymentStatus;
      amount: number;
      currency: string;
      debt_item_ids: string[];
      gateway_reference: string | null;
    }>;
    if (!row) throw new Error(`No payment ${paymentId}`);
    return {
      id: Number(row.id),
      companyId: row.company_id,
      customerId: Number(row.customer_id),
      status: row.status,
      amount: row.amount,
      currency: row.currency,
      debtItemIds: row.debt_item_ids.map(Number),
      gatewayReference: row.gateway_reference,
    };
  }

  private async recordSuccess(manager: EntityManager, payment: LockedPayment, state: GatewayState, actor: PaymentActor): Promise<void> {
    const paidAmount = state.amount ?? payment.amount;
    const paidCurrency = state.currency ?? payment.currency;
    const mismatch =
      paidAmount !== payment.amount || paidCurrency !== payment.currency
        ? `the bank reported ${paidAmount} ${paidCurrency}, ${payment.amount} ${payment.currency} was started`
        : null;
    let flagReason = mismatch;
    let allocations: Allocation[] = [];
    if (!mismatch) {
      const items = (await manager.query(
        `SELECT id, to_char(booked_on, 'YYYY-MM-DD') AS booked_on, open_amount FROM debt_items
          WHERE company_id = $1 AND customer_id = $2 AND id = ANY($3::bigint[]) ORDER BY id FOR UPDATE`,
        [payment.companyId, payment.customerId, payment.debtItemIds],
      )) as Array<{ id: string; booked_on: string; open_amount: number }>;
      const allocatable: AllocatableItem[] = items.map((i) => ({ id: Number(i.id), bookedOn: i.booked_on, openAmount: i.open_amount }));
      const result = allocateOldestFirst(paidAmount, allocatable);
      allocations = result.allocations;
      if (result.unallocated > 0) flagReason = `${result.unallocated} ${paidCurrency} paid beyond the open amount of the selected items`;
    }
    await manager.query(
      `UPDATE payments SET status = 'succeeded', confirmed_at = now(), finished_at = now(), updated_at = now(),
              paid_amount = $2, paid_currency = $3, gateway_reference = COALESCE(gateway_reference, $4),
              flagged = $5, flag_reason = $6
        WHERE id = $1`,
      [payment.id, paidAmount, paidCurrency, state.transactionId, flagReason !== null, flagReason],
    );
    await recordPaymentEvent(manager, payment, 'succeeded', actor, state.bankStatus);
    await applyAllocations(manager, payment, allocations);
    if (allocations.length > 0) {
      await recordPaymentEvent(manager, payment, 'allocated', actor, allocations.map((a) => `${a.debtItemId}:${a.amount}`).join(', '));
    }
    if (flagReason !== null) await recordPaymentEvent(manager, payment, 'flagged', actor, flagReason);
    await addToOutbox(manager, JOBS.paymentReceipt, { paymentId: payment.id, companyId: payment.companyId }, payment.companyId);
    await addToOutbox(manager, JOBS.exportPayment, { paymentId: payment.id, companyId: payment.companyId }, payment.companyId);
  }
}
