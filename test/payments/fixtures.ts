import request from 'supertest';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, TestCompany } from '../support/clerk-factories';
import { freePort, RunningApp, startTestApp } from '../support/http-app';
import { createTestCustomer } from '../support/factories';
import { SimplePaySandbox } from '../../src/payments/sandbox/simplepay-sandbox';
import { ipnUrl } from '../../src/payments/payment-urls';

export const TEST_MERCHANT = 'TESZTHUF';
export const TEST_SECRET_KEY = 'teszt-titkos-kulcs-0123456789';

export interface PaymentWorld {
  company: TestCompany;
  sandbox: SimplePaySandbox;
  running: RunningApp;
  close(): Promise<void>;
}

/** The portal and a local SimplePay sandbox that know each other: a company with a merchant account at the sandbox. */
export async function startPaymentWorld(
  dataSource: DataSource,
  options: { withWorker?: boolean; env?: Record<string, string> } = {},
): Promise<PaymentWorld> {
  const company = await createClerkTestCompany(dataSource);
  const sandbox = new SimplePaySandbox({ [TEST_MERCHANT]: { secretKey: TEST_SECRET_KEY } });
  await sandbox.listen(0);
  // The bank sends the browser back to PUBLIC_URL, so it names the app's own port.
  const port = await freePort();
  const running = await startTestApp({
    withWorker: options.withWorker,
    port,
    env: {
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      SIMPLEPAY_ACCOUNTS: JSON.stringify({ [company.code]: { merchant: TEST_MERCHANT, secretKey: TEST_SECRET_KEY, api: sandbox.apiUrl } }),
      ...options.env,
    },
  });
  sandbox.setIpnUrl(TEST_MERCHANT, ipnUrl(running.url));
  return {
    company,
    sandbox,
    running,
    close: async () => {
      await sandbox.close();
      await running.close();
    },
  };
}

export interface DebtFixture {
  customerId: number;
  invoiceId: number;
  /** Oldest first: a reminder fee, interest, the invoice's own debt. */
  items: Array<{ id: number; amount: number }>;
  total: number;
}

/** A customer with an open invoice (38 837 Ft) and two older small items (a reminder fee and interest). */
export async function createDebts(dataSource: DataSource, companyId: number, customerId?: number): Promise<DebtFixture> {
  const customer = customerId ?? (await createTestCustomer(dataSource, companyId)).id;
  const number = `SZ${customer}-${Date.now().toString(36)}`;
  const [invoice] = (await dataSource.query(
    `INSERT INTO invoices (company_id, customer_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount)
     VALUES ($1, $2, $3, 'district_heating', '2014-11-01', '2014-11-12', '2014-11-30', 38837, 38837) RETURNING id`,
    [companyId, customer, number],
  )) as Array<{ id: string }>;
  const items: Array<{ id: number; amount: number }> = [];
  for (const [kind, invoiceId, bookedOn, amount] of [
    ['reminder_fee', null, '2014-03-31', 810],
    ['interest', null, '2014-06-30', 1300],
    ['invoice', invoice.id, '2014-11-12', 38837],
  ] as const) {
    const [row] = (await dataSource.query(
      `INSERT INTO debt_items (company_id, customer_id, invoice_id, kind, reference, description, booked_on, amount, open_amount)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
      [companyId, customer, invoiceId, kind, `${kind}-${number}`, `Teszt ${kind}`, bookedOn, amount],
    )) as Array<{ id: string }>;
    items.push({ id: Number(row.id), amount });
  }
  return { customerId: customer, invoiceId: Number(invoice.id), items, total: items.reduce((sum, i) => sum + i.amount, 0) };
}

/** Starts a payment through the JSON API; returns its id and the order reference the sandbox knows. */
export async function startPayment(
  world: PaymentWorld,
  bearer: string,
  debtItemIds?: number[],
): Promise<{ id: number; orderRef: string; redirectUrl: string }> {
  const answer = await request(world.running.url)
    .post('/api/v1/payments')
    .auth(bearer, { type: 'bearer' })
    .send(debtItemIds ? { debtItemIds } : {})
    .expect(201);
  const transactionId = Number(/\/pay\/(\d+)$/.exec(answer.body.redirectUrl as string)?.[1]);
  const transaction = world.sandbox.transactions.get(transactionId);
  if (!transaction) throw new Error(`The sandbox has no transaction ${transactionId}`);
  return { id: answer.body.id as number, orderRef: transaction.orderRef, redirectUrl: answer.body.redirectUrl as string };
}

/** The path and query of the URL the bank sent the browser back to (the test app listens elsewhere than PUBLIC_URL). */
export function backPath(backUrl: string): string {
  const url = new URL(backUrl);
  return `${url.pathname}${url.search}`;
}

/** A succeeded payment of the customer settling one item (written directly, for tests that need one to exist). */
export async function createSucceededPayment(
  dataSource: DataSource,
  companyId: number,
  customerId: number,
  item: { id: number; amount: number },
): Promise<number> {
  const [row] = (await dataSource.query(
    `INSERT INTO payments (company_id, customer_id, amount, status, gateway, order_ref, gateway_reference, debt_item_ids, confirmed_at, finished_at, paid_amount, paid_currency)
     VALUES ($1, $2, $3, 'succeeded', 'simplepay', gen_random_uuid(), 'T' || gen_random_uuid(), ARRAY[$4::bigint], now(), now(), $3, 'HUF') RETURNING id`,
    [companyId, customerId, item.amount, item.id],
  )) as Array<{ id: string }>;
  const paymentId = Number(row.id);
  await dataSource.query(`INSERT INTO payment_allocations (company_id, payment_id, debt_item_id, amount) VALUES ($1, $2, $3, $4)`, [
    companyId,
    paymentId,
    item.id,
    item.amount,
  ]);
  await dataSource.query(`UPDATE debt_items SET open_amount = 0 WHERE id = $1`, [item.id]);
  return paymentId;
}
