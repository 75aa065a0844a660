import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';
import { createRedisConnection } from '../../libs/queue/redis';
import { createTestCompany, openTestDataSource } from '../support/database';
import { freePort, PortalProcess, startPortal } from '../support/portal-process';
import { parseConfig } from '../../config/configuration';
import { JOBS } from '../../src/jobs';
import { REMINDER_KINDS } from '../../src/notifications/reminder-kinds';
import { todayInHungary } from '../../src/web/format';

const CUSTOMERS = 400;
const OPTED_OUT = 20; // customers 1..20 turned the due-date reminder off
const OVERDUE = 50; // customers 1..50 have an invoice due yesterday
const WITH_METER = 30; // customers 1..30 have a meter; the open window applies to them
const REPORTED = 10; // customers 1..10 have reported in the window
const WITHOUT_ACCOUNT = 20; // more customers with the same invoices, but no portal account
const CHUNK_SIZE = 2; // reminders claimed per transaction, so a run takes many; also the e-mails per send job

async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string, pollMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Three worker processes run the reminder jobs at once (each kind enqueued twice, as
 * racing firings would), one is killed in the middle of a run, and the next firing
 * finishes the work: every expected reminder arrives, none twice, none to anyone else.
 */
describe('scheduled reminders across three worker processes, one killed mid-run', () => {
  const catcher = new SmtpCatcher();
  const today = todayInHungary();
  const config = parseConfig(process.env);
  let dataSource: DataSource;
  let queue: Queue;
  let companyId: number;
  const workers: PortalProcess[] = [];
  const email = (n: number) => `proc-${n}@example.test`;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    queue = new Queue(JOBS.runReminders.queue, { connection: createRedisConnection(config.REDIS_URL), prefix: config.QUEUE_PREFIX });
    companyId = await createTestCompany(dataSource, 'Három Munkás Zrt.');
    const params = [companyId, today];
    await dataSource.query(
      `INSERT INTO customers (company_id, code, name, postcode, town, address)
       SELECT $1, 'P' || g, 'Ügyfél ' || g, '6600', 'Szentes', 'Fő utca ' || g || '.' FROM generate_series(1, ${CUSTOMERS + WITHOUT_ACCOUNT}) g`,
      [companyId],
    );
    const number = `substr(c.code, 2)::int`;
    await dataSource.query(
      `INSERT INTO customer_accounts (company_id, customer_id, login_email, email_verified_at, language)
       SELECT c.company_id, c.id, 'proc-' || ${number} || '@example.test', now(), 'hu'
         FROM customers c WHERE c.company_id = $1 AND ${number} <= ${CUSTOMERS}`,
      [companyId],
    );
    await dataSource.query(
      `INSERT INTO notification_preferences (company_id, customer_id, topic, email)
       SELECT c.company_id, c.id, 'due_date_reminder', false FROM customers c WHERE c.company_id = $1 AND ${number} <= ${OPTED_OUT}`,
      [companyId],
    );
    await dataSource.query(
      `INSERT INTO invoices (company_id, customer_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount)
       SELECT c.company_id, c.id, 'D-' || c.code, 'gas', $2::date - 30, $2::date - 30, $2::date + 2, 9000, 9000
         FROM customers c WHERE c.company_id = $1
       UNION ALL
       SELECT c.company_id, c.id, 'O-' || c.code, 'gas', $2::date - 30, $2::date - 30, $2::date - 1, 9000, 4500
         FROM customers c WHERE c.company_id = $1 AND (${number} <= ${OVERDUE} OR ${number} > ${CUSTOMERS})`,
      params,
    );
    await dataSource.query(
      `WITH points AS (
         INSERT INTO service_points (company_id, customer_id, postcode, town, address)
         SELECT c.company_id, c.id, '6600', 'Szentes', c.address FROM customers c
          WHERE c.company_id = $1 AND (${number} <= ${WITH_METER} OR ${number} > ${CUSTOMERS})
         RETURNING id, customer_id
       )
       INSERT INTO meters (company_id, service_point_id, serial_number, type, unit)
       SELECT $1, p.id, 'PM-' || $1 || '-' || p.customer_id, 'gas', 'm3' FROM points p`,
      [companyId],
    );
    await dataSource.query(`INSERT INTO reading_windows (company_id, opens_on, closes_on) VALUES ($1, $2::date, $2::date + 1)`, params);
    await dataSource.query(
      `INSERT INTO readings (company_id, meter_id, read_on, value, kind)
       SELECT m.company_id, m.id, $2::date, 1, 'normal' FROM meters m
         JOIN service_points sp ON sp.id = m.service_point_id JOIN customers c ON c.id = sp.customer_id
        WHERE m.company_id = $1 AND ${number} <= ${REPORTED}`,
      params,
    );

    const smtpPort = await catcher.start();
    for (let i = 0; i < 3; i += 1) {
      workers.push(
        startPortal('src/worker.ts', {
          PORT: String(await freePort()),
          SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
          REMINDER_CHUNK_SIZE: String(CHUNK_SIZE),
        }),
      );
    }
    await eventually(
      async () => workers.every((worker) => worker.output().includes('job schedulers registered')),
      90_000,
      'workers started',
    );
  }, 120_000);

  afterAll(async () => {
    for (const worker of workers) if (worker.child.exitCode === null) worker.child.kill('SIGTERM');
    await Promise.all(workers.map((worker) => worker.exited));
    await queue?.close();
    await queue?.disconnect();
    await dataSource?.destroy();
    await catcher.stop();
  }, 60_000);

  it('sends exactly the expected reminders once each', async () => {
    expect((await queue.getJobSchedulers()).map((scheduler) => scheduler.key).sort()).toEqual(
      REMINDER_KINDS.map((kind) => `reminders:${kind}`).sort(),
    );

    const fire = (round: string) =>
      queue.addBulk(
        REMINDER_KINDS.flatMap((kind) =>
          ['a', 'b'].map((copy) => ({ name: JOBS.runReminders.name, data: { kind }, opts: { jobId: `test-${round}-${kind}-${copy}` } })),
        ),
      );
    await fire('first');

    // Kill the process running the due-date run once it has claimed some but not all reminders.
    let victim: PortalProcess | undefined;
    await eventually(
      async () => {
        victim = workers.find((worker) => /"kind":"due_date"[^\n]*reminder run started/.test(worker.output()));
        if (!victim) return false;
        const [row] = await dataSource.query(`SELECT count(*)::int AS count FROM reminders WHERE company_id = $1 AND kind = 'due_date'`, [
          companyId,
        ]);
        return row.count > 0;
      },
      60_000,
      'a due-date run under way',
      20,
    );
    const [claimedAtKill] = await dataSource.query(
      `SELECT count(*)::int AS count FROM reminders WHERE company_id = $1 AND kind = 'due_date'`,
      [companyId],
    );
    victim?.child.kill('SIGKILL');
    expect(claimedAtKill.count).toBeLessThan(CUSTOMERS);

    await fire('next');

    const expected = new Set<string>();
    for (let n = OPTED_OUT + 1; n <= CUSTOMERS; n += 1) expected.add(`${email(n)} Fizetési emlékeztető: D-P${n}`);
    for (let n = 1; n <= OVERDUE; n += 1) expected.add(`${email(n)} Lejárt fizetési határidő: O-P${n}`);
    for (let n = 1; n <= WITH_METER; n += 1) expected.add(`${email(n)} Megkezdődött a mérőállás-diktálás`);
    for (let n = REPORTED + 1; n <= WITH_METER; n += 1) expected.add(`${email(n)} Hamarosan lezárul a mérőállás-diktálás`);

    const caught = () => catcher.messages().map((mail) => `${mail.to.join(',')} ${mail.subject.replace(/ – .*$/, '')}`);
    // E-mails the killed process held come back when BullMQ finds its jobs stalled.
    await eventually(async () => new Set(caught()).size >= expected.size, 150_000, `${expected.size} distinct e-mails`);

    expect(new Set(caught())).toEqual(expected);
    const [counts] = await dataSource.query(
      `SELECT count(*)::int AS reminders, count(*) FILTER (WHERE outcome = 'skipped_by_preference')::int AS skipped,
              count(DISTINCT email_id)::int AS emails
         FROM reminders WHERE company_id = $1`,
      [companyId],
    );
    expect(counts).toEqual({ reminders: expected.size + OPTED_OUT, skipped: OPTED_OUT, emails: expected.size });
    const [logged] = await dataSource.query(`SELECT count(*)::int AS count FROM email_log WHERE company_id = $1`, [companyId]);
    expect(logged.count).toBe(expected.size);
    // SMTP delivery is at least once: only an e-mail the killed process had handed to the server
    // but not yet recorded as sent can arrive twice: at most a wave (here a send job's e-mails)
    // per job it was running.
    expect(caught().length - expected.size).toBeLessThanOrEqual(config.WORKER_CONCURRENCY * Math.min(CHUNK_SIZE, config.EMAIL_WAVE_SIZE));
  }, 240_000);
});
