import { DataSource } from 'typeorm';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';
import { createTestCompany, openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createMeter, createServicePoint } from '../metering/fixtures';
import { QueuesService } from '../../src/core/queues.service';
import { JOBS } from '../../src/jobs';
import { REMINDER_KINDS } from '../../src/notifications/reminder-kinds';
import { ReminderService } from '../../src/notifications/reminder.service';

/** A fixed day, so the expectations do not depend on the calendar. */
const TODAY = '2030-03-10';

async function eventually(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('scheduled reminders (real PostgreSQL, Redis and SMTP catcher)', () => {
  const catcher = new SmtpCatcher();
  let running: RunningApp;
  let dataSource: DataSource;
  let reminders: ReminderService;
  let companyId: number;
  let sequence = 0;

  async function customer(options: { account?: 'verified' | 'unverified' | 'none'; language?: 'hu' | 'en' } = {}) {
    const n = (sequence += 1);
    const [row]: Array<{ id: string }> = await dataSource.query(
      `INSERT INTO customers (company_id, code, name, postcode, town, address)
       VALUES ($1, $2, $3, '6600', 'Szentes', 'Fő utca 1.') RETURNING id`,
      [companyId, `REM${n}`, `Ügyfél ${n}`],
    );
    const id = Number(row.id);
    const email = `reminder-${companyId}-${n}@example.test`;
    if ((options.account ?? 'verified') !== 'none') {
      await dataSource.query(
        `INSERT INTO customer_accounts (company_id, customer_id, login_email, email_verified_at, language) VALUES ($1, $2, $3, $4, $5)`,
        [companyId, id, email, options.account === 'unverified' ? null : new Date(), options.language ?? 'hu'],
      );
    }
    return { id, email };
  }

  async function invoice(customerId: number, dueInDays: number, openAmount = 12_500): Promise<number> {
    sequence += 1;
    const [row]: Array<{ id: string }> = await dataSource.query(
      `INSERT INTO invoices (company_id, customer_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount)
       VALUES ($1, $2, $3, 'water', '2030-02-01', $4::date - 40, $4::date + $5::int, 12500, $6) RETURNING id`,
      [companyId, customerId, `SZ-${sequence}`, TODAY, dueInDays, openAmount],
    );
    return Number(row.id);
  }

  async function window(opensInDays: number, closesInDays: number): Promise<number> {
    const [row]: Array<{ id: string }> = await dataSource.query(
      `INSERT INTO reading_windows (company_id, opens_on, closes_on) VALUES ($1, $2::date + $3::int, $2::date + $4::int) RETURNING id`,
      [companyId, TODAY, opensInDays, closesInDays],
    );
    return Number(row.id);
  }

  async function meterOf(customerId: number): Promise<number> {
    return createMeter(dataSource, companyId, await createServicePoint(dataSource, companyId, customerId));
  }

  const decided = async () =>
    (
      await dataSource.query(
        `SELECT customer_id::int AS "customerId", kind, subject_id::int AS "subjectId", outcome, email_id IS NOT NULL AS "hasEmail"
           FROM reminders WHERE company_id = $1 ORDER BY customer_id, kind, subject_id`,
        [companyId],
      )
    ).map((row: Record<string, unknown>) => row);

  beforeAll(async () => {
    const smtpPort = await catcher.start();
    running = await startTestApp({ withWorker: true, env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, REMINDER_CHUNK_SIZE: '2' } });
    dataSource = await openTestDataSource();
    reminders = running.app.get(ReminderService);
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
    await catcher.stop();
  });

  beforeEach(async () => {
    companyId = await createTestCompany(dataSource, 'Emlékeztető Víz Zrt.');
  });

  it('registers one job scheduler per kind, firing daily in Budapest time', async () => {
    const queue = running.app.get(QueuesService).queue(JOBS.runReminders.queue);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.map((scheduler) => scheduler.key).sort()).toEqual(REMINDER_KINDS.map((kind) => `reminders:${kind}`).sort());
    for (const scheduler of schedulers) expect(scheduler).toMatchObject({ pattern: '0 7 * * *', tz: 'Europe/Budapest' });
  });

  it('reminds exactly the right customers once per invoice or window, obeying preferences, and a re-run sends nothing more', async () => {
    const anna = await customer({ language: 'hu' });
    const bob = await customer({ language: 'en' });
    const noAccount = await customer({ account: 'none' });
    const unverified = await customer({ account: 'unverified' });
    await dataSource.query(
      `INSERT INTO notification_preferences (company_id, customer_id, topic, email) VALUES ($1, $2, 'due_date_reminder', false)`,
      [companyId, bob.id],
    );

    const annaDue = await invoice(anna.id, 2); // within the default 5 days
    await invoice(anna.id, 10); // too early
    await invoice(anna.id, 1, 0); // paid
    const bobDue = await invoice(bob.id, 5); // opted out
    const bobOverdue = await invoice(bob.id, -1);
    await invoice(bob.id, -20); // older than the catch-up
    const bobToday = await invoice(bob.id, 0); // due today: a due-date reminder (opted out), not overdue yet
    await invoice(noAccount.id, 2);
    await invoice(unverified.id, -1);

    const open = await window(-1, 2); // opened yesterday, closes in 2 days (default warning: 3 days)
    await window(5, 12); // not open yet
    const annaMeter = await meterOf(anna.id);
    await meterOf(bob.id);
    await meterOf(noAccount.id);
    // Anna has reported in the open window, so she gets no "closes soon".
    await dataSource.query(`INSERT INTO readings (company_id, meter_id, read_on, value, kind) VALUES ($1, $2, $3, 42, 'normal')`, [
      companyId,
      annaMeter,
      TODAY,
    ]);

    const summaries = [];
    for (const kind of REMINDER_KINDS) summaries.push(await reminders.run(companyId, kind, TODAY));
    expect(summaries.map(({ kind, queued, skippedByPreference }) => ({ kind, queued, skippedByPreference }))).toEqual([
      { kind: 'due_date', queued: 1, skippedByPreference: 2 },
      { kind: 'overdue', queued: 1, skippedByPreference: 0 },
      { kind: 'window_opened', queued: 2, skippedByPreference: 0 },
      { kind: 'window_closing', queued: 1, skippedByPreference: 0 },
    ]);
    const expected = [
      { customerId: anna.id, kind: 'due_date', subjectId: annaDue, outcome: 'queued', hasEmail: true },
      { customerId: anna.id, kind: 'window_opened', subjectId: open, outcome: 'queued', hasEmail: true },
      { customerId: bob.id, kind: 'due_date', subjectId: bobDue, outcome: 'skipped_by_preference', hasEmail: false },
      { customerId: bob.id, kind: 'due_date', subjectId: bobToday, outcome: 'skipped_by_preference', hasEmail: false },
      { customerId: bob.id, kind: 'overdue', subjectId: bobOverdue, outcome: 'queued', hasEmail: true },
      { customerId: bob.id, kind: 'window_closing', subjectId: open, outcome: 'queued', hasEmail: true },
      { customerId: bob.id, kind: 'window_opened', subjectId: open, outcome: 'queued', hasEmail: true },
    ];
    expect(await decided()).toEqual(expected);

    for (const kind of REMINDER_KINDS)
      expect(await reminders.run(companyId, kind, TODAY)).toMatchObject({ queued: 0, skippedByPreference: 0 });
    expect(await decided()).toEqual(expected);

    const dueMail = await catcher.waitForMail({ to: anna.email, subject: /^Fizetési emlékeztető/ });
    expect(dueMail.text).toContain('12\u00a0500\u00a0Ft');
    expect(dueMail.text).toContain('2030.03.12');
    expect(dueMail.headers['list-unsubscribe']).toMatch(/\/api\/v1\/notifications\/unsubscribe\/\d+\.\d+\.due_date_reminder\./);
    await catcher.waitForMail({ to: anna.email, subject: /^Megkezdődött a mérőállás-diktálás/ });
    const overdue = await catcher.waitForMail({ to: bob.email, subject: /^Payment overdue/ });
    expect(overdue.text).toContain('was due on 2030.03.09');
    await catcher.waitForMail({ to: bob.email, subject: /^Meter reading closes soon/ });
    await catcher.waitForMail({ to: bob.email, subject: /^Meter reading is open/ });
    await eventually(async () => {
      const [row] = await dataSource.query(
        `SELECT count(*)::int AS sent FROM reminders r JOIN email_log e ON e.id = r.email_id WHERE r.company_id = $1 AND e.status = 'sent'`,
        [companyId],
      );
      return row.sent === 5;
    });
    const mailsTo = (address: string) => catcher.messages().filter((mail) => mail.to.includes(address));
    expect(mailsTo(anna.email)).toHaveLength(2);
    expect(mailsTo(bob.email)).toHaveLength(3);
    expect(mailsTo(noAccount.email)).toHaveLength(0);
    expect(mailsTo(unverified.email)).toHaveLength(0);

    const runs = await dataSource.query(
      `SELECT kind, queued, skipped_by_preference, finished_at IS NOT NULL AS finished FROM reminder_runs WHERE company_id = $1 ORDER BY kind`,
      [companyId],
    );
    expect(runs).toEqual([
      { kind: 'due_date', queued: 1, skipped_by_preference: 2, finished: true },
      { kind: 'overdue', queued: 1, skipped_by_preference: 0, finished: true },
      { kind: 'window_closing', queued: 1, skipped_by_preference: 0, finished: true },
      { kind: 'window_opened', queued: 2, skipped_by_preference: 0, finished: true },
    ]);
  });

  it('uses the company’s own number of days before the due date', async () => {
    await dataSource.query(`UPDATE companies SET due_date_reminder_days = 10 WHERE id = $1`, [companyId]);
    const anna = await customer();
    const farDue = await invoice(anna.id, 10);
    await invoice(anna.id, 11);
    expect(await reminders.run(companyId, 'due_date', TODAY)).toMatchObject({ queued: 1 });
    expect(await decided()).toEqual([{ customerId: anna.id, kind: 'due_date', subjectId: farDue, outcome: 'queued', hasEmail: true }]);
  });

  it('never claims the same reminder twice when three runs race', async () => {
    const customers = await Promise.all(Array.from({ length: 9 }, () => customer()));
    for (const { id } of customers) await invoice(id, 1);
    const results = await Promise.all([1, 2, 3].map(() => reminders.run(companyId, 'due_date', TODAY)));
    expect(results.reduce((sum, result) => sum + result.queued, 0)).toBe(9);
    const rows = await decided();
    expect(new Set(rows.map((row: { customerId: number }) => row.customerId)).size).toBe(9);
    expect(rows).toHaveLength(9);
    const [emails] = await dataSource.query(
      `SELECT count(*)::int AS count FROM email_log WHERE company_id = $1 AND template = 'due-date-reminder'`,
      [companyId],
    );
    expect(emails.count).toBe(9);
  });
});
