import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { addToOutbox } from '../../libs/outbox/outbox';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createMeterWorld, MeterWorld, waitFor } from '../metering/fixtures';
import { JOBS } from '../../src/jobs';
import { formatMoney } from '../../src/web/format';

describe('payment receipt e-mail (real PostgreSQL, Redis, worker and SMTP catcher)', () => {
  const catcher = new SmtpCatcher();
  let running: RunningApp;
  let dataSource: DataSource;

  async function customerWithLogin(language: 'hu' | 'en'): Promise<{ world: MeterWorld; address: string }> {
    const world = await createMeterWorld(dataSource, { window: false });
    const address = `receipt-${world.companyId}@example.test`;
    await dataSource.query(
      `INSERT INTO customer_accounts (company_id, customer_id, login_email, email_verified_at, language) VALUES ($1, $2, $3, now(), $4)`,
      [world.companyId, world.customerId, address, language],
    );
    return { world, address };
  }

  /** A confirmed card payment of two debt items, recorded with its receipt's outbox row as the settlement does. */
  async function recordPayment(world: MeterWorld, bankReference: string): Promise<number> {
    const items: Array<{ id: string }> = await dataSource.query(
      `INSERT INTO debt_items (company_id, customer_id, kind, reference, description, booked_on, amount, open_amount)
       VALUES ($1, $2, 'reminder_fee', 'F-R-1', 'Felszólítási díj', '2025-11-12', 810, 0),
              ($1, $2, 'interest', 'K-R-2', 'Késedelmi kamat', '2025-11-30', 1300, 0)
       RETURNING id`,
      [world.companyId, world.customerId],
    );
    return dataSource.transaction(async (manager) => {
      const [payment]: Array<{ id: string }> = await manager.query(
        `INSERT INTO payments (company_id, customer_id, amount, status, order_ref, gateway_reference, debt_item_ids, confirmed_at, paid_amount)
         VALUES ($1, $2, 2110, 'succeeded', $3, $4, $5::bigint[], now(), 2110) RETURNING id`,
        [world.companyId, world.customerId, randomUUID(), bankReference, items.map((item) => item.id)],
      );
      await manager.query(
        `INSERT INTO payment_allocations (company_id, payment_id, debt_item_id, amount) VALUES ($1, $2, $3, 810), ($1, $2, $4, 1300)`,
        [world.companyId, payment.id, items[0].id, items[1].id],
      );
      const paymentId = Number(payment.id);
      await addToOutbox(manager, JOBS.paymentReceipt, { paymentId, companyId: world.companyId }, world.companyId);
      return paymentId;
    });
  }

  beforeAll(async () => {
    const smtpPort = await catcher.start();
    running = await startTestApp({ withWorker: true, env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}` } });
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
    await catcher.stop();
  });

  it('sends the receipt with the amount, the bank reference and what it paid', async () => {
    const { world, address } = await customerWithLogin('hu');
    const paymentId = await recordPayment(world, '501234567');
    const mail = await catcher.waitForMail({ to: address, subject: /^Befizetését megkaptuk: / });
    expect(mail.subject).toMatch(/2\s110\sFt/);
    expect(mail.text).toContain('Banki azonosító: 501234567.');
    expect(mail.text).toContain(`- F-R-1 – Felszólítási díj: ${formatMoney(810)}`);
    expect(mail.text).toContain(`- K-R-2 – Késedelmi kamat: ${formatMoney(1300)}`);
    expect(mail.text).toContain(`/payments/${paymentId}`);
    expect(mail.headers['list-unsubscribe']).toContain('.payment_checked.');
  });

  it('sends nothing when the customer turned the payment notification off', async () => {
    const { world, address } = await customerWithLogin('en');
    await dataSource.query(
      `INSERT INTO notification_preferences (company_id, customer_id, topic, email) VALUES ($1, $2, 'payment_checked', false)`,
      [world.companyId, world.customerId],
    );
    await recordPayment(world, '501234568');
    await waitFor(async () => {
      const rows: unknown[] = await dataSource.query(
        `SELECT 1 FROM outbox WHERE company_id = $1 AND job_name = 'payment-receipt' AND completed_at IS NOT NULL`,
        [world.companyId],
      );
      return rows.length > 0 ? true : undefined;
    });
    expect(await dataSource.query(`SELECT 1 FROM email_log WHERE company_id = $1`, [world.companyId])).toEqual([]);
    expect(catcher.messages().filter((mail) => mail.to.includes(address))).toEqual([]);
  });
});
