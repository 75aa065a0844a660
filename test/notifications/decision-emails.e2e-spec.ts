import { DataSource } from 'typeorm';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createClerk, createMeterWorld, MeterWorld, waitFor } from '../metering/fixtures';
import { RequestDecidedProcessor } from '../../src/approval/request-decided.processor';
import { ClerkRef, ReviewService } from '../../src/approval/review.service';
import { ReadingService } from '../../src/metering/reading.service';
import { DataChangeService } from '../../src/profile/data-change.service';
import { EInvoiceService } from '../../src/profile/e-invoice.service';

/**
 * Every request kind tells the customer of its decisions through approval's one job:
 * accepted (approved), rejected with the clerk's reason, applied; each once, in the
 * kind's words and the customer's language, under the kind's notification topic.
 */
describe('decision e-mails for every request kind (real PostgreSQL, Redis, worker and SMTP catcher)', () => {
  const catcher = new SmtpCatcher();
  let running: RunningApp;
  let dataSource: DataSource;
  let readings: ReadingService;
  let dataChanges: DataChangeService;
  let eInvoices: EInvoiceService;
  let review: ReviewService;

  async function customerWithLogin(language: 'hu' | 'en'): Promise<{ world: MeterWorld; address: string; clerk: ClerkRef }> {
    const world = await createMeterWorld(dataSource, { decimals: 1 });
    const address = `decided-${world.companyId}@example.test`;
    await dataSource.query(
      `INSERT INTO customer_accounts (company_id, customer_id, login_email, email_verified_at, language) VALUES ($1, $2, $3, now(), $4)`,
      [world.companyId, world.customerId, address, language],
    );
    return { world, address, clerk: { id: await createClerk(dataSource, world.companyId), role: 'clerk' } };
  }

  async function submitReading(world: MeterWorld, value: string): Promise<number> {
    const submitted = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value });
    if (!submitted.ok) throw new Error(submitted.error.message);
    return submitted.value.requestId;
  }

  const decisionEmails = (companyId: number) =>
    dataSource.query(`SELECT once_key, topic FROM email_log WHERE company_id = $1 AND template = 'request-decided' ORDER BY id`, [
      companyId,
    ]) as Promise<Array<{ once_key: string; topic: string }>>;

  const relayedJobs = async (companyId: number, count: number) =>
    waitFor(async () => {
      const rows: unknown[] = await dataSource.query(
        `SELECT 1 FROM outbox WHERE company_id = $1 AND job_name = 'request-decided' AND completed_at IS NOT NULL`,
        [companyId],
      );
      return rows.length >= count ? true : undefined;
    });

  beforeAll(async () => {
    const smtpPort = await catcher.start();
    running = await startTestApp({ withWorker: true, env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}` } });
    dataSource = await openTestDataSource();
    readings = running.app.get(ReadingService);
    dataChanges = running.app.get(DataChangeService);
    eInvoices = running.app.get(EInvoiceService);
    review = running.app.get(ReviewService);
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
    await catcher.stop();
  });

  it('a reading: accepted, then recorded, each e-mail once, under reading_recorded', async () => {
    const { world, address, clerk } = await customerWithLogin('hu');
    const requestId = await submitReading(world, '112,5');
    expect(await review.approve(world.companyId, clerk, requestId, 1)).toMatchObject({ ok: true });
    const accepted = await catcher.waitForMail({ to: address, subject: /^Elfogadtuk mérőállását/ });
    expect(accepted.text).toContain('Kérelmét ügyintézőnk elfogadta');
    const recorded = await catcher.waitForMail({ to: address, subject: /^Rögzítettük mérőállását/ });
    expect(recorded.text).toMatch(/gyári számú mérő \d{4}\.\d\d\.\d\d\. napi állása: 112,5 m³\./);
    expect(recorded.text).toContain('/readings');
    expect(recorded.headers['list-unsubscribe']).toContain('.reading_recorded.');

    // Every job re-run (a retry, a duplicate): the once keys queue nothing more.
    await relayedJobs(world.companyId, 2);
    await running.app.get(RequestDecidedProcessor).handle({ data: { requestId, companyId: world.companyId } });
    // A batch's job naming it again, beside a request that is not there.
    await running.app
      .get(RequestDecidedProcessor)
      .handle({ data: { requestIds: [requestId + 1_000_000, requestId], companyId: world.companyId } });
    expect(await decisionEmails(world.companyId)).toEqual([
      { once_key: `request-decided:${requestId}:approved`, topic: 'reading_recorded' },
      { once_key: `request-decided:${requestId}:applied`, topic: 'reading_recorded' },
    ]);
  });

  it('a rejected reading: the clerk’s reason, in the customer’s language', async () => {
    const { world, address, clerk } = await customerWithLogin('en');
    const requestId = await submitReading(world, '7');
    expect(await review.reject(world.companyId, clerk, requestId, 1, 'The photo is unreadable')).toMatchObject({ ok: true });
    const mail = await catcher.waitForMail({ to: address, subject: /^Your meter reading was not accepted/ });
    expect(mail.text).toContain('Reason: The photo is unreadable');
    expect(mail.text).toContain('on 20');
  });

  it('a data change: accepted and applied under address_changed, the change in the text; a rejection names the reason', async () => {
    const { world, address, clerk } = await customerWithLogin('hu');
    const submitted = await dataChanges.submit(
      world.companyId,
      world.customerId,
      { phone: '06 30 123 4567' },
      { language: 'hu', ip: null },
    );
    if (!submitted.ok || submitted.value.status !== 'submitted') throw new Error('not submitted');
    const requestId = submitted.value.requestId;
    expect(await review.approve(world.companyId, clerk, requestId, 1)).toMatchObject({ ok: true });
    await catcher.waitForMail({ to: address, subject: /^Elfogadtuk adatváltozás-kérelmét/ });
    const applied = await catcher.waitForMail({ to: address, subject: /^Átvezettük adatainak változását/ });
    expect(applied.text).toContain('A kért változás: Telefonszám: – → +36 30 123 4567.');
    expect(applied.headers['list-unsubscribe']).toContain('.address_changed.');

    const second = await dataChanges.submit(world.companyId, world.customerId, { address: 'Új utca 2.' }, { language: 'hu', ip: null });
    if (!second.ok || second.value.status !== 'submitted') throw new Error('not submitted');
    expect(await review.reject(world.companyId, clerk, second.value.requestId, 1, 'Az új cím nem létezik')).toMatchObject({ ok: true });
    const rejected = await catcher.waitForMail({ to: address, subject: /^Adatváltozás-kérelmét nem fogadtuk el/ });
    expect(rejected.text).toContain('Indoklás: Az új cím nem létezik');
    expect(rejected.text).toContain('Cím: ');
  });

  it('an e-invoice switch: applied under invoice_issued, in English for an English-speaking customer', async () => {
    const { world, address, clerk } = await customerWithLogin('en');
    const submitted = await eInvoices.request(world.companyId, world.customerId, {
      servicePointId: world.servicePointId,
      optIn: true,
      consent: true,
      language: 'en',
    });
    if (!submitted.ok) throw new Error(submitted.error.message);
    expect(await review.approve(world.companyId, clerk, submitted.value.requestId, submitted.value.version)).toMatchObject({ ok: true });
    const mail = await catcher.waitForMail({ to: address, subject: /^Your invoice delivery is switched/ });
    expect(mail.text).toContain('invoices now come by e-mail (e-invoice).');
    expect(mail.headers['list-unsubscribe']).toContain('.invoice_issued.');
  });

  it('sends nothing when the customer turned the kind’s topic off', async () => {
    const { world, address, clerk } = await customerWithLogin('hu');
    await dataSource.query(
      `INSERT INTO notification_preferences (company_id, customer_id, topic, email) VALUES ($1, $2, 'reading_recorded', false)`,
      [world.companyId, world.customerId],
    );
    const requestId = await submitReading(world, '9');
    expect(await review.reject(world.companyId, clerk, requestId, 1, 'Nem olvasható')).toMatchObject({ ok: true });
    await relayedJobs(world.companyId, 1);
    // The job itself, run here, decides the same way the worker's run did.
    await running.app.get(RequestDecidedProcessor).handle({ data: { requestId, companyId: world.companyId } });
    expect(await decisionEmails(world.companyId)).toEqual([]);
    expect(catcher.messages().filter((mail) => mail.to.includes(address))).toEqual([]);
  });
});
