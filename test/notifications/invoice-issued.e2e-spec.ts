import { DataSource } from 'typeorm';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createMeterWorld, MeterWorld, waitFor } from '../metering/fixtures';
import { recordInvoicesIssued } from '../../src/billing/invoice-issued';
import { InvoiceIssuedProcessor } from '../../src/billing/invoice-issued.processor';
import { formatMoney } from '../../src/web/format';

describe('invoice issued: the event and its e-mail (real PostgreSQL, Redis, worker and SMTP catcher)', () => {
  const catcher = new SmtpCatcher();
  let running: RunningApp;
  let dataSource: DataSource;

  async function customerWithLogin(
    language: 'hu' | 'en',
    options: { eInvoice?: boolean } = {},
  ): Promise<{ world: MeterWorld; address: string }> {
    const world = await createMeterWorld(dataSource, { window: false });
    const address = `invoice-${world.companyId}@example.test`;
    await dataSource.query(
      `INSERT INTO customer_accounts (company_id, customer_id, login_email, email_verified_at, language) VALUES ($1, $2, $3, now(), $4)`,
      [world.companyId, world.customerId, address, language],
    );
    if (options.eInvoice) {
      await dataSource.query(`UPDATE service_points SET e_invoice = true WHERE company_id = $1 AND id = $2`, [
        world.companyId,
        world.servicePointId,
      ]);
    }
    return { world, address };
  }

  async function issueInvoice(world: MeterWorld, number: string): Promise<number> {
    const [row]: Array<{ id: string }> = await dataSource.query(
      `INSERT INTO invoices (company_id, customer_id, service_point_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount)
       VALUES ($1, $2, $3, $4, 'district_heating', '2025-11-01', '2025-12-01', '2025-12-15', 38837, 38837) RETURNING id`,
      [world.companyId, world.customerId, world.servicePointId, number],
    );
    return Number(row.id);
  }

  const record = (companyId: number, invoiceIds: number[]) =>
    dataSource.transaction((manager) => recordInvoicesIssued(manager, companyId, invoiceIds));

  const invoiceEmails = (companyId: number) =>
    dataSource.query(`SELECT status, once_key, topic FROM email_log WHERE company_id = $1 AND template = 'invoice-issued' ORDER BY id`, [
      companyId,
    ]);

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

  it("records one outbox row per invoice of the company in one statement, ignoring another company's ids", async () => {
    const { world } = await customerWithLogin('hu');
    const other = await customerWithLogin('hu');
    const first = await issueInvoice(world, `SZ-A-${world.companyId}`);
    const second = await issueInvoice(world, `SZ-B-${world.companyId}`);
    const foreign = await issueInvoice(other.world, `SZ-C-${other.world.companyId}`);
    await record(world.companyId, [first, second, second, foreign, 999_999_999]);
    const rows: Array<{ company_id: number; payload: unknown }> = await dataSource.query(
      `SELECT company_id, payload FROM outbox WHERE job_name = 'invoice-issued' AND company_id = ANY($1::int[]) ORDER BY id`,
      [[world.companyId, other.world.companyId]],
    );
    expect(rows).toEqual([
      { company_id: world.companyId, payload: { invoiceId: first, companyId: world.companyId } },
      { company_id: world.companyId, payload: { invoiceId: second, companyId: world.companyId } },
    ]);
  });

  it('tells an opted-in customer about the new invoice with a link, once only', async () => {
    const { world, address } = await customerWithLogin('hu');
    const invoiceId = await issueInvoice(world, `SZ-N-${world.companyId}`);
    await record(world.companyId, [invoiceId]);
    const mail = await catcher.waitForMail({ to: address, subject: /^Új számla: SZ-N-/ });
    expect(mail.text).toContain(`/invoices/${invoiceId}`);
    expect(mail.text).toContain(`Fizetendő: ${formatMoney(38837)}`);
    expect(mail.attachments).toEqual([]);
    expect(mail.headers['list-unsubscribe']).toContain('.invoice_issued.');

    // Recorded again (a re-run import) and the job re-run: the once key queues nothing more.
    await record(world.companyId, [invoiceId]);
    await running.app.get(InvoiceIssuedProcessor).handle({ data: { invoiceId, companyId: world.companyId } });
    expect(await invoiceEmails(world.companyId)).toEqual([
      { status: expect.any(String), once_key: `invoice-issued:${invoiceId}:${world.customerId}`, topic: 'invoice_issued' },
    ]);
  });

  it('delivers an e-invoice with its PDF attached, once, even with the notice switched off', async () => {
    const { world, address } = await customerWithLogin('hu', { eInvoice: true });
    await dataSource.query(
      `INSERT INTO notification_preferences (company_id, customer_id, topic, email) VALUES ($1, $2, 'invoice_issued', false)`,
      [world.companyId, world.customerId],
    );
    const invoiceId = await issueInvoice(world, `SZ-E-${world.companyId}`);
    await record(world.companyId, [invoiceId]);
    const mail = await catcher.waitForMail({ to: address, subject: /^Elektronikus számla: SZ-E-/ });
    expect(mail.text).toContain('PDF-ként csatoltuk');
    expect(mail.attachments).toHaveLength(1);
    const [pdf] = mail.attachments;
    expect(pdf).toMatchObject({ filename: `Számla_SZ-E-${world.companyId}.pdf`, contentType: 'application/pdf' });
    expect(pdf.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.content.toString('latin1')).toContain(`SZ-E-${world.companyId}`);
    // The delivery of the invoice itself: no unsubscribe link (switching e-invoice off is the way out).
    expect(mail.headers['list-unsubscribe']).toBeUndefined();

    // The worker records the send after the SMTP server took it: wait for that, then run the job again.
    await waitFor(async () => ((await invoiceEmails(world.companyId))[0]?.status === 'sent' ? true : undefined));
    await running.app.get(InvoiceIssuedProcessor).handle({ data: { invoiceId, companyId: world.companyId } });
    expect(await invoiceEmails(world.companyId)).toEqual([
      { status: 'sent', once_key: `invoice-issued:${invoiceId}:${world.customerId}`, topic: null },
    ]);
    expect(catcher.messages().filter((caught) => caught.to.includes(address))).toHaveLength(1);
  });

  it('sends nothing when the customer turned the topic off', async () => {
    const { world, address } = await customerWithLogin('en');
    await dataSource.query(
      `INSERT INTO notification_preferences (company_id, customer_id, topic, email) VALUES ($1, $2, 'invoice_issued', false)`,
      [world.companyId, world.customerId],
    );
    const invoiceId = await issueInvoice(world, `SZ-O-${world.companyId}`);
    await record(world.companyId, [invoiceId]);
    await waitFor(async () => {
      const rows: unknown[] = await dataSource.query(
        `SELECT 1 FROM outbox WHERE company_id = $1 AND job_name = 'invoice-issued' AND completed_at IS NOT NULL`,
        [world.companyId],
      );
      return rows.length > 0 ? true : undefined;
    });
    expect(await invoiceEmails(world.companyId)).toEqual([]);
    expect(catcher.messages().filter((mail) => mail.to.includes(address))).toEqual([]);
  });
});
