import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestClerk } from '../support/clerk-factories';
import { loginTestCustomer, TestCustomerSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import {
  backPath,
  createDebts,
  DebtFixture,
  PaymentWorld,
  startPayment,
  startPaymentWorld,
  TEST_MERCHANT,
  TEST_SECRET_KEY,
} from './fixtures';
import { FeedExportProcessor } from '../../src/integration/feed-export.processor';
import { PaymentOutboxProcessor } from '../../src/payments/payment-outbox.processor';
import { PaymentSettlement } from '../../src/payments/payment-settlement.service';
import { simplePaySignature } from '../../src/payments/simplepay/simplepay-protocol';

/**
 * Card payment end to end: the portal (API, pages, IPN endpoint) against real
 * PostgreSQL and Redis and the local SimplePay sandbox, which signs like SimplePay.
 */
describe('card payment through the SimplePay sandbox', () => {
  let dataSource: DataSource;
  let world: PaymentWorld;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    world = await startPaymentWorld(dataSource);
  });

  afterAll(async () => {
    await world?.close();
    await dataSource?.destroy();
  });

  afterEach(async () => {
    await world.sandbox.idle();
    world.sandbox.resetBehaviour();
  });

  async function customerWithDebts(): Promise<{ debts: DebtFixture; session: TestCustomerSession }> {
    const debts = await createDebts(dataSource, world.company.id);
    return { debts, session: await loginTestCustomer(world.running, dataSource, world.company.id, debts.customerId) };
  }

  async function paymentRow(id: number) {
    const [row] = (await dataSource.query(
      `SELECT status, flagged, flag_reason, paid_amount, gateway_reference FROM payments WHERE id = $1`,
      [id],
    )) as Array<{
      status: string;
      flagged: boolean;
      flag_reason: string | null;
      paid_amount: number | null;
      gateway_reference: string | null;
    }>;
    return row;
  }

  async function openAmounts(debts: DebtFixture): Promise<{ items: number[]; invoice: number }> {
    const items = (await dataSource.query(`SELECT open_amount FROM debt_items WHERE id = ANY($1::bigint[]) ORDER BY booked_on`, [
      debts.items.map((i) => i.id),
    ])) as Array<{ open_amount: number }>;
    const [invoice] = (await dataSource.query(`SELECT open_amount FROM invoices WHERE id = $1`, [debts.invoiceId])) as Array<{
      open_amount: number;
    }>;
    return { items: items.map((i) => i.open_amount), invoice: invoice.open_amount };
  }

  /** The customer's browser coming back from the bank's page: the return URL redirects to the payment's page. */
  async function returnFromBank(back: string, session: TestCustomerSession): Promise<{ paymentId: number; page: request.Response }> {
    const returned = await request(world.running.url)
      .get(backPath(back))
      .set('Cookie', session.cookie)
      .set('Accept', 'text/html')
      .expect(303);
    const paymentPage = returned.headers.location as string;
    const page = await request(world.running.url).get(paymentPage).set('Cookie', session.cookie).set('Accept', 'text/html').expect(200);
    return { paymentId: Number(paymentPage.split('/').at(-1)), page };
  }

  async function counts(paymentId: number) {
    const [row] = (await dataSource.query(
      `SELECT (SELECT count(*) FROM payment_allocations WHERE payment_id = $1)::int AS allocations,
              (SELECT count(*) FROM payment_events WHERE payment_id = $1 AND event = 'succeeded')::int AS successes,
              (SELECT count(*) FROM outbox WHERE job_name = 'payment-receipt' AND (payload->>'paymentId')::bigint = $1)::int AS receipts,
              (SELECT count(*) FROM outbox WHERE job_name = 'export-payment' AND (payload->>'paymentId')::bigint = $1)::int AS exports`,
      [paymentId],
    )) as Array<{ allocations: number; successes: number; receipts: number; exports: number }>;
    return row;
  }

  it('success: the customer confirms, pays on the card page, comes back and sees the items settled and 0 Ft open', async () => {
    world.sandbox.setBehaviour({ ipn: 'late', lateMs: 200 });
    const { debts, session } = await customerWithDebts();

    const confirm = await request(world.running.url)
      .get('/payments/new')
      .set('Cookie', session.cookie)
      .set('Accept', 'text/html')
      .expect(200);
    expect(confirm.text).toContain('Tovább a bankkártyás fizetéshez');
    expect(confirm.text).toContain('40\u00a0947\u00a0Ft');

    const started = await request(world.running.url)
      .post('/payments')
      .set('Cookie', session.cookie)
      .type('form')
      .send(`_csrf=${session.csrfToken}&${debts.items.map((i) => `items=${i.id}`).join('&')}`)
      .expect(303);
    const cardPage = started.headers.location as string;
    expect(cardPage.startsWith(world.sandbox.apiUrl.replace('/payment', '/pay/'))).toBe(true);
    const transaction = world.sandbox.transactions.get(Number(cardPage.split('/').at(-1)))!;
    expect(transaction.total).toBe(debts.total);

    const back = await world.sandbox.pay(transaction.orderRef, 'succeed');
    const { paymentId, page } = await returnFromBank(back, session);
    expect(page.text).toContain('Sikeres');
    expect(page.text).toContain('Kiegyenlített');
    expect(page.text).toMatch(/data-testid="open-total">0\u00a0Ft</);

    expect(await paymentRow(paymentId)).toMatchObject({
      status: 'succeeded',
      flagged: false,
      paid_amount: debts.total,
      gateway_reference: String(transaction.transactionId),
    });
    expect(await openAmounts(debts)).toEqual({ items: [0, 0, 0], invoice: 0 });
    // The invoice's detail lists the payment booked to it.
    const invoice = await request(world.running.url)
      .get(`/api/v1/invoices/${debts.invoiceId}`)
      .auth(session.bearer, { type: 'bearer' })
      .expect(200);
    expect(invoice.body.payments).toEqual([expect.objectContaining({ amount: expect.any(Number) })]);

    // The IPN arrives later: acknowledged, nothing changes a second time.
    await world.sandbox.idle();
    expect(world.sandbox.ipnDeliveries.filter((d) => d.orderRef === transaction.orderRef)).toEqual([
      { orderRef: transaction.orderRef, httpStatus: 200, acknowledged: true },
    ]);
    expect(await counts(paymentId)).toEqual({ allocations: 3, successes: 1, receipts: 1, exports: 1 });
  });

  it("queues the receipt e-mail to the customer's portal address in the account's language, once, and feeds the payment to the back office once", async () => {
    world.sandbox.setBehaviour({ ipn: 'before-return' });
    const { debts, session } = await customerWithDebts();
    const email = `vevo-${debts.customerId}@teszt.local`;
    await dataSource.query(
      `INSERT INTO customer_accounts (company_id, customer_id, login_email, language, email_verified_at) VALUES ($1, $2, $3, 'en', now())`,
      [world.company.id, debts.customerId, email],
    );
    const payment = await startPayment(world, session.bearer, [debts.items[2].id]);
    await world.sandbox.pay(payment.orderRef);
    const processor = world.running.app.get(PaymentOutboxProcessor);
    await processor.receipt({ data: { paymentId: payment.id, companyId: world.company.id } });
    // A re-run (a retry, a duplicate job) queues nothing more: the receipt's once key.
    await processor.receipt({ data: { paymentId: payment.id, companyId: world.company.id } });
    const feed = world.running.app.get(FeedExportProcessor);
    // A duplicate export job (not relayed, so nothing marks it done) adds no second feed item.
    await feed.payment({ data: { paymentId: payment.id, companyId: world.company.id } });
    await feed.payment({ data: { paymentId: payment.id, companyId: world.company.id } });
    const items = (await dataSource.query(`SELECT type, payload FROM integration_feed WHERE company_id = $1 AND source_key = $2`, [
      world.company.id,
      `payment:${payment.id}`,
    ])) as Array<{ type: string; payload: { amount: number; allocations: Array<{ debtItemId: number; amount: number }> } }>;
    expect(items).toHaveLength(1);
    expect(items[0].type).toBe('payment.recorded');
    expect(items[0].payload.allocations).toEqual([
      expect.objectContaining({ debtItemId: debts.items[2].id, amount: items[0].payload.amount }),
    ]);
    const logs = (await dataSource.query(
      `SELECT recipient, language, template, topic, once_key, params FROM email_log WHERE recipient = $1`,
      [email],
    )) as Array<{
      recipient: string;
      language: string;
      template: string;
      params: { amount: number; reference: string; allocations: Array<{ reference: string; amount: number }>; link: string };
    }>;
    expect(logs).toHaveLength(1);
    const [log] = logs;
    expect(log).toMatchObject({
      recipient: email,
      language: 'en',
      template: 'payment-receipt',
      topic: 'payment_checked',
      once_key: `payment-receipt:${payment.id}`,
    });
    expect(log.params).toMatchObject({ amount: 38837, allocations: [{ reference: expect.stringMatching(/^invoice-/), amount: 38837 }] });
    expect(log.params.reference).not.toBe('–');
    expect(log.params.link.endsWith(`/payments/${payment.id}`)).toBe(true);
  });

  it('queues no receipt when the customer turned the payment notification off', async () => {
    world.sandbox.setBehaviour({ ipn: 'before-return' });
    const { debts, session } = await customerWithDebts();
    const email = `nem-ker-${debts.customerId}@teszt.local`;
    await dataSource.query(
      `INSERT INTO customer_accounts (company_id, customer_id, login_email, email_verified_at) VALUES ($1, $2, $3, now())`,
      [world.company.id, debts.customerId, email],
    );
    await dataSource.query(
      `INSERT INTO notification_preferences (company_id, customer_id, topic, email) VALUES ($1, $2, 'payment_checked', false)`,
      [world.company.id, debts.customerId],
    );
    const payment = await startPayment(world, session.bearer, [debts.items[2].id]);
    await world.sandbox.pay(payment.orderRef);
    await world.running.app.get(PaymentOutboxProcessor).receipt({ data: { paymentId: payment.id, companyId: world.company.id } });
    expect(await dataSource.query(`SELECT 1 FROM email_log WHERE recipient = $1`, [email])).toEqual([]);
  });

  it.each([
    ['fail', 'failed', 'Sikertelen'],
    ['cancel', 'cancelled', 'Megszakítva'],
    ['timeout', 'expired', 'Lejárt'],
  ] as const)('%s: the payment ends %s and the debt stays open', async (outcome, status, label) => {
    const { debts, session } = await customerWithDebts();
    const payment = await startPayment(world, session.bearer);
    const back = await world.sandbox.pay(payment.orderRef, outcome);
    const { page } = await returnFromBank(back, session);
    expect(page.text).toContain(label);
    expect((await paymentRow(payment.id)).status).toBe(status);
    expect(await openAmounts(debts)).toEqual({ items: [810, 1300, 38837], invoice: 38837 });
    expect((await counts(payment.id)).allocations).toBe(0);
  });

  it('the IPN sent ten times at once records one payment with one allocation', async () => {
    world.sandbox.setBehaviour({ ipn: 'never' });
    const { debts, session } = await customerWithDebts();
    const payment = await startPayment(world, session.bearer);
    await world.sandbox.pay(payment.orderRef);
    const deliveries = await world.sandbox.sendIpn(payment.orderRef, 10);
    expect(deliveries.every((d) => d.acknowledged)).toBe(true);
    expect(await counts(payment.id)).toEqual({ allocations: 3, successes: 1, receipts: 1, exports: 1 });
    expect(await openAmounts(debts)).toEqual({ items: [0, 0, 0], invoice: 0 });
  });

  it('the IPN before the browser return records the payment; the return then finds it settled', async () => {
    world.sandbox.setBehaviour({ ipn: 'before-return' });
    const { debts, session } = await customerWithDebts();
    const payment = await startPayment(world, session.bearer);
    const back = await world.sandbox.pay(payment.orderRef);
    expect((await paymentRow(payment.id)).status).toBe('succeeded');
    await request(world.running.url).get(backPath(back)).set('Cookie', session.cookie).set('Accept', 'text/html').expect(303);
    expect(await counts(payment.id)).toEqual({ allocations: 3, successes: 1, receipts: 1, exports: 1 });
    expect((await openAmounts(debts)).invoice).toBe(0);
  });

  it('an out-of-order IPN (the bank still says in payment) changes nothing; the reconciler finishes the payment', async () => {
    world.sandbox.setBehaviour({ ipn: 'out-of-order', lateMs: 100 });
    const { debts, session } = await customerWithDebts();
    const payment = await startPayment(world, session.bearer);
    await world.sandbox.pay(payment.orderRef);
    expect((await paymentRow(payment.id)).status).toBe('started');
    await world.sandbox.idle();
    await world.running.app.get(PaymentSettlement).reconcile({ quietMs: 0, graceMs: 60_000, limit: 1000 });
    expect((await paymentRow(payment.id)).status).toBe('succeeded');
    expect((await openAmounts(debts)).items).toEqual([0, 0, 0]);
  });

  it('the IPN never arriving and the customer never returning: the reconciler records the payment; an abandoned one expires', async () => {
    world.sandbox.setBehaviour({ ipn: 'never' });
    const { debts, session } = await customerWithDebts();
    const paid = await startPayment(world, session.bearer, [debts.items[0].id]);
    await world.sandbox.pay(paid.orderRef);
    const other = await customerWithDebts();
    const abandoned = await startPayment(world, other.session.bearer);
    await dataSource.query(`UPDATE payments SET expires_at = now() - interval '2 hours' WHERE id = $1`, [abandoned.id]);

    const settlement = world.running.app.get(PaymentSettlement);
    await settlement.reconcile({ quietMs: 0, graceMs: 60_000, limit: 1000 });
    expect((await paymentRow(paid.id)).status).toBe('succeeded');
    expect((await openAmounts(debts)).items).toEqual([0, 1300, 38837]);
    expect((await paymentRow(abandoned.id)).status).toBe('expired');
    // A second round changes neither.
    await settlement.reconcile({ quietMs: 0, graceMs: 60_000, limit: 1000 });
    expect(await counts(paid.id)).toEqual({ allocations: 1, successes: 1, receipts: 1, exports: 1 });
  });

  it('refuses a forged IPN or a signature replayed onto another body, and a forged browser return; nothing changes', async () => {
    world.sandbox.setBehaviour({ ipn: 'never' });
    const { session } = await customerWithDebts();
    const payment = await startPayment(world, session.bearer);
    const transaction = world.sandbox.transactionOf(payment.orderRef)!;
    // The bank has the money, but no valid message about it reaches the portal.
    transaction.status = 'FINISHED';
    const genuine = JSON.stringify({
      salt: 'a'.repeat(32),
      orderRef: payment.orderRef,
      method: 'CARD',
      merchant: TEST_MERCHANT,
      transactionId: transaction.transactionId,
      status: 'FINISHED',
    });
    const ipn = (body: string, signature: string) =>
      request(world.running.url)
        .post('/api/v1/payment-gateways/simplepay/ipn')
        .set('Content-Type', 'application/json')
        .set('Signature', signature)
        .send(body);

    await ipn(genuine, simplePaySignature('not-the-merchant-key', genuine)).expect(401);
    await ipn(genuine, '').expect(401);
    const otherBody = JSON.stringify({ ...JSON.parse(genuine), salt: 'b'.repeat(32) });
    await ipn(otherBody, simplePaySignature(TEST_SECRET_KEY, genuine)).expect(401);
    const r = Buffer.from(
      JSON.stringify({ r: 0, t: transaction.transactionId, e: 'SUCCESS', m: TEST_MERCHANT, o: payment.orderRef }),
    ).toString('base64');
    await request(world.running.url)
      .get(`/payments/back?r=${encodeURIComponent(r)}&s=${encodeURIComponent(simplePaySignature('forged', r))}`)
      .set('Cookie', session.cookie)
      .set('Accept', 'text/html')
      .expect(404);
    expect((await paymentRow(payment.id)).status).toBe('started');
    expect((await counts(payment.id)).allocations).toBe(0);

    // The same body with its genuine signature is accepted (so the refusals above were about the signature).
    await ipn(genuine, simplePaySignature(TEST_SECRET_KEY, genuine)).expect(200);
    expect((await paymentRow(payment.id)).status).toBe('succeeded');
  });

  it("refuses another customer's items in the selection and creates no payment", async () => {
    const a = await customerWithDebts();
    const b = await customerWithDebts();
    const before = (await dataSource.query(`SELECT count(*)::int AS n FROM payments WHERE company_id = $1`, [world.company.id])) as Array<{
      n: number;
    }>;
    const refused = await request(world.running.url)
      .post('/api/v1/payments')
      .auth(b.session.bearer, { type: 'bearer' })
      .send({ debtItemIds: [b.debts.items[0].id, a.debts.items[2].id] })
      .expect(404);
    expect(refused.body.code).toBe('item_not_found');
    expect(JSON.stringify(refused.body)).not.toContain('38837');
    await request(world.running.url)
      .get(`/payments/new?items=${a.debts.items[0].id}`)
      .set('Cookie', b.session.cookie)
      .set('Accept', 'text/html')
      .expect(404);
    await request(world.running.url)
      .post('/payments')
      .set('Cookie', b.session.cookie)
      .type('form')
      .send(`_csrf=${b.session.csrfToken}&items=${a.debts.items[0].id}`)
      .expect(404);
    const after = (await dataSource.query(`SELECT count(*)::int AS n FROM payments WHERE company_id = $1`, [world.company.id])) as Array<{
      n: number;
    }>;
    expect(after[0].n).toBe(before[0].n);
    // Without the CSRF token the form is refused outright.
    await request(world.running.url)
      .post('/payments')
      .set('Cookie', b.session.cookie)
      .type('form')
      .send(`items=${b.debts.items[0].id}`)
      .expect(403);
  });

  it('a crash between the bank’s success and the allocation leaves nothing half-written; the payment is later recorded once', async () => {
    world.sandbox.setBehaviour({ ipn: 'never' });
    const { debts, session } = await customerWithDebts();
    const payment = await startPayment(world, session.bearer);
    await world.sandbox.pay(payment.orderRef);
    // The process dies while writing the allocation: the trigger aborts that one transaction midway.
    await dataSource.query(`
      CREATE FUNCTION pg_temp_crash_allocation() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.payment_id = ${payment.id} THEN RAISE EXCEPTION 'worker killed'; END IF; RETURN NEW; END $$`);
    await dataSource.query(
      `CREATE TRIGGER crash_allocation BEFORE INSERT ON payment_allocations FOR EACH ROW EXECUTE FUNCTION pg_temp_crash_allocation()`,
    );
    try {
      const [delivery] = await world.sandbox.sendIpn(payment.orderRef);
      expect(delivery.acknowledged).toBe(false);
      expect((await paymentRow(payment.id)).status).toBe('started');
      expect(await counts(payment.id)).toEqual({ allocations: 0, successes: 0, receipts: 0, exports: 0 });
    } finally {
      await dataSource.query(`DROP TRIGGER crash_allocation ON payment_allocations`);
      await dataSource.query(`DROP FUNCTION pg_temp_crash_allocation()`);
    }
    // The bank sends the IPN again (and the reconciler runs too): recorded once.
    await world.sandbox.sendIpn(payment.orderRef, 2);
    await world.running.app.get(PaymentSettlement).reconcile({ quietMs: 0, graceMs: 60_000, limit: 1000 });
    expect(await counts(payment.id)).toEqual({ allocations: 3, successes: 1, receipts: 1, exports: 1 });
    expect((await openAmounts(debts)).invoice).toBe(0);
  });

  it('an amount the bank reports differently is recorded and flagged, not allocated; a clerk allocates it by hand', async () => {
    const { debts, session } = await customerWithDebts();
    const payment = await startPayment(world, session.bearer);
    world.sandbox.setBehaviour({ ipn: 'before-return', paidTotal: 2000 });
    await world.sandbox.pay(payment.orderRef);
    expect(await paymentRow(payment.id)).toMatchObject({ status: 'succeeded', flagged: true, paid_amount: 2000 });
    expect(await openAmounts(debts)).toEqual({ items: [810, 1300, 38837], invoice: 38837 });

    const clerk = await createTestClerk(dataSource, world.company, 'clerk');
    const token = (
      await request(world.running.url)
        .post('/api/v1/backoffice/auth/login')
        .send({ company: clerk.companyCode, email: clerk.email, password: clerk.password })
        .expect(200)
    ).body.token as string;
    const flagged = await request(world.running.url)
      .get('/api/v1/backoffice/payments?flagged=true')
      .auth(token, { type: 'bearer' })
      .expect(200);
    expect(flagged.body.items.map((p: { id: number }) => p.id)).toContain(payment.id);

    await request(world.running.url)
      .post(`/api/v1/backoffice/payments/${payment.id}/allocations`)
      .auth(token, { type: 'bearer' })
      .send({ allocations: [{ debtItemId: debts.items[2].id, amount: 2001 }] })
      .expect(400);
    await request(world.running.url)
      .post(`/api/v1/backoffice/payments/${payment.id}/allocations`)
      .auth(token, { type: 'bearer' })
      .send({
        allocations: [
          { debtItemId: debts.items[0].id, amount: 810 },
          { debtItemId: debts.items[1].id, amount: 1190 },
        ],
        note: 'a bank reported 2000 Ft',
      })
      .expect(200);
    expect(await paymentRow(payment.id)).toMatchObject({ flagged: false });
    expect(await openAmounts(debts)).toEqual({ items: [0, 110, 38837], invoice: 38837 });
    const detail = await request(world.running.url)
      .get(`/api/v1/backoffice/payments/${payment.id}`)
      .auth(token, { type: 'bearer' })
      .expect(200);
    expect(detail.body.events.at(-1)).toMatchObject({ event: 'allocated_by_clerk', actorKind: 'clerk', actorId: clerk.id });
    await request(world.running.url)
      .post(`/api/v1/backoffice/payments/${payment.id}/allocations`)
      .auth(token, { type: 'bearer' })
      .send({ allocations: [{ debtItemId: debts.items[1].id, amount: 1 }] })
      .expect(409);
  });
});
