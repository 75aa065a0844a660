import request from 'supertest';
import { DataSource } from 'typeorm';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createClerkTestCompany, createTestClerk, TestCompany } from '../support/clerk-factories';
import { createDebts, createSucceededPayment } from './fixtures';
import { FeedExportProcessor } from '../../src/integration/feed-export.processor';
import { PaymentQueries } from '../../src/payments/payment-queries.service';

/** The clerk's payment pages: the filtered list, a payment's page with allocations and trail, and the manual allocation form. */
describe('back-office payment pages', () => {
  let dataSource: DataSource;
  let running: RunningApp;
  let company: TestCompany;
  let token: string;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    running = await startTestApp();
    company = await createClerkTestCompany(dataSource);
    const clerk = await createTestClerk(dataSource, company, 'clerk');
    token = (
      await request(running.url)
        .post('/api/v1/backoffice/auth/login')
        .send({ company: company.code, email: clerk.email, password: clerk.password })
        .expect(200)
    ).body.token as string;
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  const page = (path: string) => request(running.url).get(path).auth(token, { type: 'bearer' }).set('Accept', 'text/html');

  it('lists payments with state and flag filters, shows one, and allocates a flagged one by hand', async () => {
    const debts = await createDebts(dataSource, company.id);
    const settled = await createSucceededPayment(dataSource, company.id, debts.customerId, debts.items[0]);
    const flagged = await createSucceededPayment(dataSource, company.id, debts.customerId, debts.items[1]);
    // The second one as the bank's mismatch leaves it: paid, flagged, nothing allocated.
    await dataSource.query(`DELETE FROM payment_allocations WHERE payment_id = $1`, [flagged]);
    await dataSource.query(`UPDATE debt_items SET open_amount = amount WHERE id = $1`, [debts.items[1].id]);
    await dataSource.query(
      `UPDATE payments SET flagged = true, flag_reason = 'the bank reported 1300 EUR', paid_currency = 'HUF' WHERE id = $1`,
      [flagged],
    );

    const all = await page('/backoffice/payments').expect(200);
    expect(all.text).toContain(`data-payment-id="${settled}"`);
    expect(all.text).toContain(`data-payment-id="${flagged}"`);
    const onlyFlagged = await page('/backoffice/payments?flagged=yes').expect(200);
    expect(onlyFlagged.text).not.toContain(`data-payment-id="${settled}"`);
    expect(onlyFlagged.text).toContain(`data-payment-id="${flagged}"`);
    const failed = await page('/backoffice/payments?state=failed').expect(200);
    expect(failed.text).not.toContain(`data-payment-id="${settled}"`);
    const future = await page('/backoffice/payments?from=2999-01-01').expect(200);
    expect(future.text).not.toContain('data-payment-id=');

    const detail = await page(`/backoffice/payments/${flagged}`).expect(200);
    expect(detail.text).toContain('the bank reported 1300 EUR');
    expect(detail.text).toContain(`name="amount-${debts.items[1].id}"`);

    await request(running.url)
      .post(`/backoffice/payments/${flagged}/allocate`)
      .auth(token, { type: 'bearer' })
      .type('form')
      .send({ [`amount-${debts.items[1].id}`]: '99999' })
      .set('Accept', 'text/html')
      .expect(400);
    await request(running.url)
      .post(`/backoffice/payments/${flagged}/allocate`)
      .auth(token, { type: 'bearer' })
      .type('form')
      .send({ [`amount-${debts.items[1].id}`]: '1 300', note: 'checked with the bank' })
      .set('Accept', 'text/html')
      .expect(303);
    const after = await page(`/backoffice/payments/${flagged}?done=allocated`).expect(200);
    expect(after.text).toContain('A felosztást rögzítettük.');
    expect(after.text).toContain('Kézzel felosztva');
    expect(after.text).not.toContain(`name="amount-${debts.items[1].id}"`);

    // The clerk's allocation goes to the billing back office's feed, once.
    const [job] = (await dataSource.query(
      `SELECT id::int FROM outbox WHERE company_id = $1 AND job_name = 'export-payment-allocation' AND (payload->>'paymentId')::bigint = $2`,
      [company.id, flagged],
    )) as Array<{ id: number }>;
    const feed = running.app.get(FeedExportProcessor);
    await feed.paymentAllocation({ data: { paymentId: flagged, companyId: company.id, outboxId: job.id } });
    await feed.paymentAllocation({ data: { paymentId: flagged, companyId: company.id } });
    const items = (await dataSource.query(`SELECT type, payload FROM integration_feed WHERE company_id = $1 AND source_key = $2`, [
      company.id,
      `payment-allocation:${flagged}`,
    ])) as Array<{ type: string; payload: { allocations: Array<{ debtItemId: number; amount: number }> } }>;
    expect(items).toEqual([
      {
        type: 'payment.allocated',
        payload: expect.objectContaining({ allocations: [expect.objectContaining({ debtItemId: debts.items[1].id, amount: 1300 })] }),
      },
    ]);

    // What the clerk's customer page (issue 13) lists: both payments with their allocations.
    const forCustomer = await running.app.get(PaymentQueries).forCustomer(company.id, debts.customerId);
    expect(forCustomer.map((p) => [p.id, p.allocations.map((a) => a.amount)])).toEqual([
      [flagged, [1300]],
      [settled, [810]],
    ]);
  });
});
