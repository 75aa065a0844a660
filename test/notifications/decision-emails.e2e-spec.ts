import { DataSource } from 'typeorm';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createClerk, createMeterWorld, MeterWorld, waitFor } from '../metering/fixtures';
import { RequestDecidedProcessor } from '../../src/approval/request-decided.processor';
import { ClerkRef, ReviewService } from '../../src/approval/review.service';
import { ReadingService } from '../../src/metering/reading.service';

describe('decision e-mails: a reading recorded or rejected (real PostgreSQL, Redis, worker and SMTP catcher)', () => {
  const catcher = new SmtpCatcher();
  let running: RunningApp;
  let dataSource: DataSource;
  let readings: ReadingService;
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

  async function submit(world: MeterWorld, value: string): Promise<number> {
    const submitted = await readings.submit(world.customerId, world.companyId, { meterId: world.meterId, value });
    if (!submitted.ok) throw new Error(submitted.error.message);
    return submitted.value.requestId;
  }

  const decisionEmails = (companyId: number) =>
    dataSource.query(`SELECT status, once_key FROM email_log WHERE company_id = $1 AND template = 'request-decided'`, [companyId]);

  beforeAll(async () => {
    const smtpPort = await catcher.start();
    running = await startTestApp({ withWorker: true, env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}` } });
    dataSource = await openTestDataSource();
    readings = running.app.get(ReadingService);
    review = running.app.get(ReviewService);
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
    await catcher.stop();
  });

  it('tells the customer the reading is recorded once it is applied, once only', async () => {
    const { world, address, clerk } = await customerWithLogin('hu');
    const requestId = await submit(world, '112,5');
    expect(await review.approve(world.companyId, clerk, requestId, 1)).toMatchObject({ ok: true });
    const mail = await catcher.waitForMail({ to: address, subject: /^Rögzítettük mérőállását/ });
    expect(mail.text).toContain('napi állását: 112,5.');
    expect(mail.headers['list-unsubscribe']).toContain('.reading_recorded.');

    // The job re-run (a retry, a duplicate): the once key queues nothing more.
    await running.app.get(RequestDecidedProcessor).handle({ data: { requestId, companyId: world.companyId } });
    expect(await decisionEmails(world.companyId)).toEqual([
      { status: expect.any(String), once_key: `request-decided:${requestId}:applied` },
    ]);
  });

  it('tells the customer why a reading was rejected, in their language', async () => {
    const { world, address, clerk } = await customerWithLogin('en');
    const requestId = await submit(world, '7');
    expect(await review.reject(world.companyId, clerk, requestId, 1, 'The photo is unreadable')).toMatchObject({ ok: true });
    const mail = await catcher.waitForMail({ to: address, subject: /^Your meter reading was not accepted/ });
    expect(mail.text).toContain('Reason: The photo is unreadable');
  });

  it('sends nothing when the customer turned the topic off', async () => {
    const { world, address, clerk } = await customerWithLogin('hu');
    await dataSource.query(
      `INSERT INTO notification_preferences (company_id, customer_id, topic, email) VALUES ($1, $2, 'reading_recorded', false)`,
      [world.companyId, world.customerId],
    );
    const requestId = await submit(world, '9');
    expect(await review.reject(world.companyId, clerk, requestId, 1, 'Nem olvasható')).toMatchObject({ ok: true });
    await waitFor(async () => {
      const rows: unknown[] = await dataSource.query(
        `SELECT 1 FROM outbox WHERE company_id = $1 AND job_name = 'request-decided' AND relayed_at IS NOT NULL`,
        [world.companyId],
      );
      return rows.length > 0 ? true : undefined;
    });
    // The job itself, run here, decides the same way the worker's run did.
    await running.app.get(RequestDecidedProcessor).handle({ data: { requestId, companyId: world.companyId } });
    expect(await decisionEmails(world.companyId)).toEqual([]);
    expect(catcher.messages().filter((mail) => mail.to.includes(address))).toEqual([]);
  });
});
