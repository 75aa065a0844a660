import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { addToOutbox } from '../../libs/outbox/outbox';
import { JOBS } from '../jobs';
import { Allocation } from './allocation';
import { applyAllocations, recordPaymentEvent } from './payment-settlement.service';

export type ManualAllocationError =
  | { code: 'payment_not_found'; message: string }
  | { code: 'not_flagged'; message: string }
  | { code: 'invalid_allocation'; message: string };

export type ManualAllocationResult =
  { ok: true; value: { paymentId: number; allocated: number } } | { ok: false; error: ManualAllocationError };

/**
 * A clerk allocates a flagged payment by hand: the amounts go to the customer's open
 * items (each at most what it owes, together at most what was paid and not yet
 * allocated), the flag is cleared, the trail records the clerk, and the allocation is
 * queued for the billing back office's feed: one transaction.
 */
@Injectable()
export class ManualAllocationService {
  constructor(private readonly dataSource: DataSource) {}

  async allocate(
    companyId: number,
    clerkId: number,
    paymentId: number,
    allocations: readonly Allocation[],
    note: string,
  ): Promise<ManualAllocationResult> {
    const wanted = allocations.filter((a) => a.amount !== 0);
    if (wanted.some((a) => !Number.isSafeInteger(a.amount) || a.amount < 0 || !Number.isSafeInteger(a.debtItemId))) {
      return { ok: false, error: { code: 'invalid_allocation', message: 'Amounts must be whole, positive forints' } };
    }
    if (new Set(wanted.map((a) => a.debtItemId)).size !== wanted.length) {
      return { ok: false, error: { code: 'invalid_allocation', message: 'Each debt item at most once' } };
    }
    return this.dataSource.transaction(async (manager) => {
      const [payment] = (await manager.query(
        `SELECT p.id, p.customer_id, p.status, p.flagged, p.paid_amount,
                COALESCE((SELECT sum(amount) FROM payment_allocations a WHERE a.company_id = p.company_id AND a.payment_id = p.id), 0)::int AS allocated
           FROM payments p WHERE p.company_id = $1 AND p.id = $2 FOR UPDATE`,
        [companyId, paymentId],
      )) as Array<{ id: string; customer_id: string; status: string; flagged: boolean; paid_amount: number | null; allocated: number }>;
      if (!payment) return { ok: false, error: { code: 'payment_not_found', message: 'No such payment' } };
      if (!payment.flagged || payment.status !== 'succeeded') {
        return {
          ok: false,
          error: { code: 'not_flagged', message: 'Only a succeeded payment flagged for a clerk can be allocated by hand' },
        };
      }
      const available = (payment.paid_amount ?? 0) - payment.allocated;
      const total = wanted.reduce((sum, a) => sum + a.amount, 0);
      if (total > available) {
        return { ok: false, error: { code: 'invalid_allocation', message: `At most ${available} can still be allocated` } };
      }
      const items = (await manager.query(
        `SELECT id, open_amount FROM debt_items WHERE company_id = $1 AND customer_id = $2 AND id = ANY($3::bigint[]) ORDER BY id FOR UPDATE`,
        [companyId, payment.customer_id, wanted.map((a) => a.debtItemId)],
      )) as Array<{ id: string; open_amount: number }>;
      for (const a of wanted) {
        const item = items.find((i) => Number(i.id) === a.debtItemId);
        if (!item) return { ok: false, error: { code: 'invalid_allocation', message: `Debt item ${a.debtItemId} is not this customer's` } };
        if (a.amount > item.open_amount) {
          return { ok: false, error: { code: 'invalid_allocation', message: `Debt item ${a.debtItemId} owes only ${item.open_amount}` } };
        }
      }
      const already = (await manager.query(`SELECT debt_item_id FROM payment_allocations WHERE company_id = $1 AND payment_id = $2`, [
        companyId,
        paymentId,
      ])) as Array<{ debt_item_id: string }>;
      if (already.some((row) => wanted.some((a) => a.debtItemId === Number(row.debt_item_id)))) {
        return { ok: false, error: { code: 'invalid_allocation', message: 'A debt item already has an allocation of this payment' } };
      }
      const ref = { id: paymentId, companyId };
      await applyAllocations(manager, ref, wanted);
      await manager.query(`UPDATE payments SET flagged = false, updated_at = now() WHERE id = $1`, [paymentId]);
      const detail = [wanted.map((a) => `${a.debtItemId}:${a.amount}`).join(', ') || 'nothing allocated', note.trim()]
        .filter(Boolean)
        .join(' – ');
      await recordPaymentEvent(manager, ref, 'allocated_by_clerk', { kind: 'clerk', id: clerkId }, detail);
      await addToOutbox(manager, JOBS.exportPaymentAllocation, { paymentId, companyId }, companyId);
      return { ok: true, value: { paymentId, allocated: total } };
    });
  }
}
