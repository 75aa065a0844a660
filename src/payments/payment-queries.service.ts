import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReceivedPayment, ReceivedPaymentMethod } from './received-payment.entity';
import { isOrderRef } from './payment-urls';
import { PAYMENT_STATUSES, PaymentStatus } from './payment.entity';

export interface PaymentAllocationView {
  debtItemId: number;
  reference: string;
  description: string;
  amount: number;
  /** What the item still owes now. */
  openAmount: number;
}

export interface PaymentEventView {
  event: string;
  actorKind: string;
  actorId: number | null;
  detail: string | null;
  at: Date;
}

export interface PaymentView {
  id: number;
  customerId: number;
  customerCode: string;
  customerName: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  paidAmount: number | null;
  paidCurrency: string | null;
  /** The bank's transaction id. */
  bankReference: string | null;
  orderRef: string;
  flagged: boolean;
  flagReason: string | null;
  createdAt: Date;
  confirmedAt: Date | null;
  expiresAt: Date | null;
  debtItemIds: number[];
  allocations: PaymentAllocationView[];
}

export interface PaymentFilter {
  status?: PaymentStatus;
  /** 'YYYY-MM-DD', inclusive, Hungarian calendar days. */
  from?: string;
  to?: string;
  flagged?: boolean;
  customerId?: number;
  limit: number;
  /** Older than this payment id (the list is newest first). */
  beforeId?: number;
}

export function isPaymentStatus(value: unknown): value is PaymentStatus {
  return typeof value === 'string' && (PAYMENT_STATUSES as readonly string[]).includes(value);
}

interface Row {
  id: string;
  customer_id: string;
  customer_code: string;
  customer_name: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  paid_amount: number | null;
  paid_currency: string | null;
  gateway_reference: string | null;
  order_ref: string;
  flagged: boolean;
  flag_reason: string | null;
  created_at: Date;
  confirmed_at: Date | null;
  expires_at: Date | null;
  debt_item_ids: string[];
}

const COLUMNS = `p.id, p.customer_id, c.code AS customer_code, c.name AS customer_name, p.status, p.amount, p.currency, p.paid_amount,
  p.paid_currency, p.gateway_reference, p.order_ref::text AS order_ref, p.flagged, p.flag_reason, p.created_at, p.confirmed_at,
  p.expires_at, p.debt_item_ids`;

/**
 * The read side of payments for customers and clerks. Every query is scoped to the
 * company, and for a customer to that customer: another customer's id finds nothing.
 */
/** A payment received elsewhere than the portal. */
export interface ReceivedPaymentView {
  id: number;
  method: ReceivedPaymentMethod;
  amount: number;
  paidOn: string;
  reference: string | null;
}

@Injectable()
export class PaymentQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** One payment of the company (and of the customer, when given) with its allocations. */
  async payment(companyId: number, paymentId: number, customerId?: number): Promise<PaymentView | null> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM payments p JOIN customers c ON c.company_id = p.company_id AND c.id = p.customer_id
        WHERE p.company_id = $1 AND p.id = $2 AND ($3::bigint IS NULL OR p.customer_id = $3)`,
      [companyId, paymentId, customerId ?? null],
    )) as Row[];
    if (rows.length === 0) return null;
    const [view] = await this.withAllocations(companyId, rows);
    return view;
  }

  /** A customer's payments received elsewhere (bank transfer, cash…), as the billing back office reported them, newest first. */
  async receivedForCustomer(companyId: number, customerId: number, limit: number): Promise<ReceivedPaymentView[]> {
    const rows = await this.dataSource.manager.find(ReceivedPayment, {
      where: { companyId, customerId },
      order: { paidOn: 'DESC', id: 'DESC' },
      take: limit,
    });
    return rows.map((row) => ({ id: row.id, method: row.method, amount: row.amount, paidOn: row.paidOn, reference: row.reference }));
  }

  /** A customer's payments, newest first, with allocations: what the clerk's customer page and the customer's list show. */
  async forCustomer(companyId: number, customerId: number, limit = 50): Promise<PaymentView[]> {
    return this.list(companyId, { customerId, limit });
  }

  /** The company's payments, newest first, filtered. */
  async list(companyId: number, filter: PaymentFilter): Promise<PaymentView[]> {
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM payments p JOIN customers c ON c.company_id = p.company_id AND c.id = p.customer_id
        WHERE p.company_id = $1
          AND ($2::text IS NULL OR p.status = $2)
          AND ($3::date IS NULL OR p.created_at >= ($3::date::timestamp AT TIME ZONE 'Europe/Budapest'))
          AND ($4::date IS NULL OR p.created_at < (($4::date + 1)::timestamp AT TIME ZONE 'Europe/Budapest'))
          AND ($5::boolean IS NULL OR p.flagged = $5)
          AND ($6::bigint IS NULL OR p.customer_id = $6)
          AND ($7::bigint IS NULL OR p.id < $7)
        ORDER BY p.created_at DESC, p.id DESC
        LIMIT $8`,
      [
        companyId,
        filter.status ?? null,
        filter.from ?? null,
        filter.to ?? null,
        filter.flagged ?? null,
        filter.customerId ?? null,
        filter.beforeId ?? null,
        filter.limit,
      ],
    )) as Row[];
    return this.withAllocations(companyId, rows);
  }

  /** The payment the bank knows by this order reference, within the company with this code. */
  async byOrderRef(companyCode: string, orderRef: string): Promise<Array<{ id: number; companyId: number }>> {
    if (!isOrderRef(orderRef)) return [];
    const rows = (await this.dataSource.query(
      `SELECT p.id, p.company_id FROM payments p JOIN companies c ON c.id = p.company_id WHERE p.order_ref = $1::uuid AND c.code = $2`,
      [orderRef, companyCode],
    )) as Array<{ id: string; company_id: number }>;
    return rows.map((r) => ({ id: Number(r.id), companyId: r.company_id }));
  }

  async events(companyId: number, paymentId: number): Promise<PaymentEventView[]> {
    const rows = (await this.dataSource.query(
      `SELECT event, actor_kind, actor_id, detail, created_at FROM payment_events WHERE company_id = $1 AND payment_id = $2 ORDER BY id`,
      [companyId, paymentId],
    )) as Array<{ event: string; actor_kind: string; actor_id: string | null; detail: string | null; created_at: Date }>;
    return rows.map((r) => ({
      event: r.event,
      actorKind: r.actor_kind,
      actorId: r.actor_id === null ? null : Number(r.actor_id),
      detail: r.detail,
      at: r.created_at,
    }));
  }

  private async withAllocations(companyId: number, rows: Row[]): Promise<PaymentView[]> {
    const ids = rows.map((r) => r.id);
    const allocations =
      ids.length === 0
        ? []
        : ((await this.dataSource.query(
            `SELECT a.payment_id, a.debt_item_id, a.amount, d.reference, d.description, d.open_amount
               FROM payment_allocations a JOIN debt_items d ON d.company_id = a.company_id AND d.id = a.debt_item_id
              WHERE a.company_id = $1 AND a.payment_id = ANY($2::bigint[])
              ORDER BY a.id`,
            [companyId, ids],
          )) as Array<{
            payment_id: string;
            debt_item_id: string;
            amount: number;
            reference: string;
            description: string;
            open_amount: number;
          }>);
    return rows.map((r) => ({
      id: Number(r.id),
      customerId: Number(r.customer_id),
      customerCode: r.customer_code,
      customerName: r.customer_name,
      status: r.status,
      amount: r.amount,
      currency: r.currency,
      paidAmount: r.paid_amount,
      paidCurrency: r.paid_currency,
      bankReference: r.gateway_reference,
      orderRef: r.order_ref,
      flagged: r.flagged,
      flagReason: r.flag_reason,
      createdAt: r.created_at,
      confirmedAt: r.confirmed_at,
      expiresAt: r.expires_at,
      debtItemIds: r.debt_item_ids.map(Number),
      allocations: allocations
        .filter((a) => a.payment_id === r.id)
        .map((a) => ({
          debtItemId: Number(a.debt_item_id),
          reference: a.reference,
          description: a.description,
          amount: a.amount,
          openAmount: a.open_amount,
        })),
    }));
  }
}
