import { Inject, Injectable, Logger } from '@nestjs/common';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { CustomerRef } from '../identity/auth.guards';
import { GatewayError, PAYMENT_GATEWAY, PaymentGateway } from './payment-gateway';
import { recordPaymentEvent } from './payment-settlement.service';
import { returnUrl } from './payment-urls';

/** At most this many debt items in one payment (a page of them is a handful). */
export const MAX_ITEMS_PER_PAYMENT = 200;
/** Payments a customer may start in a quarter of an hour. */
const STARTS_PER_WINDOW = 10;

export type StartError =
  | { code: 'not_available'; message: string }
  | { code: 'item_not_found'; message: string; debtItemIds: number[] }
  | { code: 'nothing_to_pay'; message: string }
  | { code: 'too_many_items'; message: string }
  | { code: 'rate_limited'; message: string; retryAfterSeconds: number }
  | { code: 'gateway_unavailable'; message: string; paymentId: number };

export type StartResult =
  { ok: true; value: { paymentId: number; amount: number; redirectUrl: string } } | { ok: false; error: StartError };

export interface OpenItem {
  id: number;
  kind: string;
  reference: string;
  description: string;
  bookedOn: string;
  openAmount: number;
}

/**
 * Starts a card payment for the logged-in customer: the selected open debt items (all
 * of them when none are named), their total, a payment row, and the bank's card page.
 */
@Injectable()
export class PaymentStartService {
  private readonly logger = new Logger(PaymentStartService.name);
  private readonly limiter: RateLimiterRedis;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    queues: QueuesService,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: queues.connection,
      keyPrefix: `${config.REDIS_KEY_PREFIX}throttle:payment-start`,
      points: STARTS_PER_WINDOW,
      duration: 15 * 60,
    });
  }

  /** Whether the customer's company takes card payments. */
  async available(companyId: number): Promise<boolean> {
    return this.gateway.isConfigured(await this.companyCode(companyId));
  }

  /** The customer's open items among `ids` (all open items when `ids` is empty), oldest first; and the ids that are not. */
  async openItems(customer: CustomerRef, ids: readonly number[]): Promise<{ items: OpenItem[]; missing: number[] }> {
    const rows = (await this.dataSource.query(
      `SELECT id, kind, reference, description, to_char(booked_on, 'YYYY-MM-DD') AS booked_on, open_amount
         FROM debt_items
        WHERE company_id = $1 AND customer_id = $2 AND open_amount > 0 AND ($3::bigint[] IS NULL OR id = ANY($3::bigint[]))
        ORDER BY booked_on, id`,
      [customer.companyId, customer.customerId, ids.length > 0 ? ids : null],
    )) as Array<{ id: string; kind: string; reference: string; description: string; booked_on: string; open_amount: number }>;
    const items = rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      reference: r.reference,
      description: r.description,
      bookedOn: r.booked_on,
      openAmount: r.open_amount,
    }));
    const found = new Set(items.map((i) => i.id));
    return { items, missing: [...new Set(ids)].filter((id) => !found.has(id)) };
  }

  async start(customer: CustomerRef, debtItemIds: readonly number[], language: 'hu' | 'en'): Promise<StartResult> {
    if (debtItemIds.length > MAX_ITEMS_PER_PAYMENT) {
      return { ok: false, error: { code: 'too_many_items', message: `At most ${MAX_ITEMS_PER_PAYMENT} debt items in one payment` } };
    }
    const companyCode = await this.companyCode(customer.companyId);
    if (!this.gateway.isConfigured(companyCode)) {
      return { ok: false, error: { code: 'not_available', message: 'Card payment is not available for this company' } };
    }
    const { items, missing } = await this.openItems(customer, debtItemIds);
    if (missing.length > 0) {
      return {
        ok: false,
        error: { code: 'item_not_found', message: 'Not open debt items of yours: ' + missing.join(', '), debtItemIds: missing },
      };
    }
    if (items.length === 0) return { ok: false, error: { code: 'nothing_to_pay', message: 'You have no open debt items' } };
    try {
      await this.limiter.consume(`${customer.companyId}:${customer.customerId}`);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const retryAfterSeconds = Math.ceil(error.msBeforeNext / 1000);
      return {
        ok: false,
        error: { code: 'rate_limited', message: `Too many payments started; try again in ${retryAfterSeconds} s`, retryAfterSeconds },
      };
    }
    const amount = items.reduce((sum, item) => sum + item.openAmount, 0);
    const expiresAt = new Date(Date.now() + this.config.PAYMENT_TIMEOUT_MINUTES * 60_000);
    const created = await this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `INSERT INTO payments (company_id, customer_id, amount, currency, status, gateway, order_ref, debt_item_ids, language, expires_at)
         VALUES ($1, $2, $3, 'HUF', 'created', 'simplepay', gen_random_uuid(), $4::bigint[], $5, $6)
         RETURNING id, order_ref::text AS order_ref`,
        [customer.companyId, customer.customerId, amount, items.map((i) => i.id), language, expiresAt],
      )) as Array<{ id: string; order_ref: string }>;
      return { id: Number(row.id), orderRef: row.order_ref };
    });
    const ref = { id: created.id, companyId: customer.companyId };
    try {
      const started = await this.gateway.start({
        companyCode,
        orderRef: created.orderRef,
        amount,
        currency: 'HUF',
        customerEmail: await this.customerEmail(customer),
        language,
        returnUrl: returnUrl(this.config.PUBLIC_URL),
        expiresAt,
        items: items.map((i) => ({ ref: i.reference, title: i.description.slice(0, 100), amount: i.openAmount })),
      });
      await this.dataSource.transaction(async (manager) => {
        await manager.query(
          `UPDATE payments SET status = 'started', gateway_reference = $2, updated_at = now() WHERE id = $1 AND status = 'created'`,
          [created.id, started.transactionId],
        );
        await recordPaymentEvent(
          manager,
          ref,
          'started',
          { kind: 'customer', id: customer.customerId },
          `transaction ${started.transactionId}`,
        );
      });
      return { ok: true, value: { paymentId: created.id, amount, redirectUrl: started.redirectUrl } };
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      this.logger.warn({ paymentId: created.id, err: error.message }, 'the bank refused to start a payment');
      await this.dataSource.transaction(async (manager) => {
        await manager.query(`UPDATE payments SET status = 'failed', finished_at = now(), updated_at = now() WHERE id = $1`, [created.id]);
        await recordPaymentEvent(manager, ref, 'failed', { kind: 'system', id: null }, error.message);
      });
      return {
        ok: false,
        error: { code: 'gateway_unavailable', message: 'The bank could not start the payment; try again later', paymentId: created.id },
      };
    }
  }

  private async companyCode(companyId: number): Promise<string> {
    const [row] = (await this.dataSource.query(`SELECT code FROM companies WHERE id = $1`, [companyId])) as Array<{ code: string }>;
    if (!row) throw new Error(`No company ${companyId}`);
    return row.code;
  }

  /** SimplePay wants the payer's e-mail: the portal login, else the address the back office holds, else none of ours. */
  private async customerEmail(customer: CustomerRef): Promise<string> {
    const [row] = (await this.dataSource.query(
      `SELECT COALESCE(a.login_email, c.email) AS email FROM customers c
         LEFT JOIN customer_accounts a ON a.company_id = c.company_id AND a.customer_id = c.id
        WHERE c.company_id = $1 AND c.id = $2`,
      [customer.companyId, customer.customerId],
    )) as Array<{ email: string | null }>;
    return row?.email ?? `customer-${customer.customerId}@invalid.local`;
  }
}
