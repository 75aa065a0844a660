import { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { outboxJobId } from '../../libs/outbox/outbox';
import { createTestCompany, openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { linkIn } from '../support/mail';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';
import { QueuesService } from '../../src/core/queues.service';
import { JOBS } from '../../src/jobs';
import { EmailLog } from '../../src/notifications/email-log.entity';
import { EmailProcessor } from '../../src/notifications/email.processor';
import { EmailService, EmailToQueue } from '../../src/notifications/email.service';

/** Polls until `check` holds; the pipeline is asynchronous end to end. */
async function eventually(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('e-mail pipeline: outbox → relay → BullMQ → handler → SMTP (real PostgreSQL and Redis)', () => {
  const catcher = new SmtpCatcher();
  let running: RunningApp;
  let dataSource: DataSource;
  let emails: EmailService;
  let processor: EmailProcessor;
  let queue: Queue;
  let companyId: number;
  let smtpPort: number;
  let sequence = 0;

  const newAddress = (label: string) => `${label}-${process.pid}-${(sequence += 1)}@example.test`;
  const verification = (to: string): EmailToQueue<'email-verification'> => ({
    companyId,
    template: 'email-verification',
    language: 'hu',
    to,
    params: { customerName: 'Kiss Anna', link: 'https://portal.example/verify?token=abc', expiresInHours: 48 },
  });
  const queueCommitted = (email: EmailToQueue<'email-verification'>) => dataSource.transaction((manager) => emails.queue(manager, email));
  const emailRow = (id: number) => dataSource.getRepository(EmailLog).findOneByOrFail({ id });
  const caughtFor = (to: string) => catcher.messages().filter((mail) => mail.to.includes(to));
  const outboxIdOf = async (emailId: number) => {
    const rows: Array<{ id: string }> = await dataSource.query(`SELECT id FROM outbox WHERE job_name = $1 AND payload->>'emailId' = $2`, [
      JOBS.sendEmail.name,
      String(emailId),
    ]);
    return Number(rows[0].id);
  };

  beforeAll(async () => {
    smtpPort = await catcher.start();
    running = await startTestApp({ withWorker: true, env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}` } });
    dataSource = await openTestDataSource();
    companyId = await createTestCompany(dataSource, 'Példa Távhő Zrt.');
    emails = running.app.get(EmailService);
    processor = running.app.get(EmailProcessor);
    queue = running.app.get(QueuesService).queue(JOBS.sendEmail.queue);
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
    await catcher.stop();
  });

  it('sends a committed e-mail in Hungarian and records it as sent; the job carries the id only', async () => {
    const to = newAddress('anna');
    const emailId = await queueCommitted(verification(to));

    const mail = await catcher.waitForMail({ to, subject: /^Erősítse meg/ });
    expect(mail.subject).toBe('Erősítse meg e-mail-címét – Példa Távhő Zrt.');
    expect(mail.text).toContain('Kedves Kiss Anna!');
    expect(mail.text).toContain('A link 48 órán át érvényes.');
    expect(linkIn(mail, 'https://portal.example/verify')).toBe('https://portal.example/verify?token=abc');
    expect(mail.html).toContain('<html lang="hu">');
    expect(mail.html).toContain('Példa Távhő Zrt.');

    await eventually(async () => (await emailRow(emailId)).status === 'sent');
    const row = await emailRow(emailId);
    expect(row).toMatchObject({ companyId, template: 'email-verification', language: 'hu', recipient: to, attempts: 1, lastError: null });
    expect(row.sentAt).toBeInstanceOf(Date);
    expect(row.messageId).toMatch(/^<.+>$/);

    const job = await queue.getJob(outboxJobId(await outboxIdOf(emailId)));
    expect(job?.data).toEqual({ emailId, outboxId: await outboxIdOf(emailId) });
  });

  it('sends nothing for a transaction that rolled back', async () => {
    const to = newAddress('rolled-back');
    await expect(
      dataSource.transaction(async (manager) => {
        await emails.queue(manager, verification(to));
        throw new Error('registration failed');
      }),
    ).rejects.toThrow('registration failed');

    // An e-mail queued later arriving shows the pipeline has run past the rolled-back one.
    const later = newAddress('later');
    await queueCommitted(verification(later));
    await catcher.waitForMail({ to: later });
    expect(caughtFor(to)).toHaveLength(0);
    expect(await dataSource.getRepository(EmailLog).countBy({ recipient: to })).toBe(0);
  });

  it('sends a replayed or duplicated job only once', async () => {
    const to = newAddress('replayed');
    const emailId = await queueCommitted(verification(to));
    // Two direct runs race the worker's own job for the same row.
    const job = { data: { emailId }, attemptsMade: 0, opts: { attempts: 6 } };
    await Promise.all([processor.handle(job), processor.handle(job)]);
    await catcher.waitForMail({ to });
    await eventually(async () => (await queue.getJob(outboxJobId(await outboxIdOf(emailId))))?.finishedOn !== undefined);

    const replay = await queue.add(JOBS.sendEmail.name, { emailId }, { jobId: `replay-${emailId}` });
    await eventually(async () => (await replay.getState()) === 'completed');

    expect(caughtFor(to)).toHaveLength(1);
    expect(await emailRow(emailId)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('refuses an unknown template or bad params when queueing, writing nothing', async () => {
    const to = newAddress('refused');
    await expect(queueCommitted({ ...verification(to), template: 'no-such-mail' as 'email-verification' })).rejects.toThrow(
      'Unknown e-mail template "no-such-mail"',
    );
    const badLink = { ...verification(to), params: { ...verification(to).params, link: 'javascript:alert(1)' } };
    await expect(queueCommitted(badLink)).rejects.toThrow(
      'Invalid params for e-mail template "email-verification": link must be an http(s) link',
    );
    await expect(queueCommitted({ ...verification(to), to: 'a@b.test, c@d.test' })).rejects.toThrow('Not a single e-mail address');
    expect(await dataSource.getRepository(EmailLog).countBy({ recipient: to })).toBe(0);
  });

  it('records a failed SMTP attempt for a retry, and marks the e-mail failed after the last one', async () => {
    // The mail server is down for this test only; the other tests keep theirs.
    await catcher.stop();
    try {
      const to = newAddress('unreachable');
      const emailId = await queueCommitted(verification(to));

      await eventually(async () => (await emailRow(emailId)).attempts === 1);
      const row = await emailRow(emailId);
      expect(row).toMatchObject({ status: 'queued', sentAt: null, messageId: null });
      expect(row.lastError).toContain('ECONNREFUSED');

      // BullMQ holds the job for a retry after its backoff; what it keeps in Redis names no address.
      const jobId = outboxJobId(await outboxIdOf(emailId));
      await eventually(async () => (await queue.getJob(jobId))?.failedReason !== undefined);
      const job = await queue.getJob(jobId);
      expect(await job?.getState()).toBe('delayed');
      expect(job?.failedReason).toMatch(new RegExp(`^email ${emailId} not sent \\(`));
      expect(job?.failedReason).not.toContain(to);
      await job?.remove();

      await expect(processor.handle({ data: { emailId }, attemptsMade: 5, opts: { attempts: 6 } })).rejects.toThrow(
        `email ${emailId} not sent`,
      );
      expect(await emailRow(emailId)).toMatchObject({ status: 'failed', attempts: 2, sentAt: null });
    } finally {
      await catcher.start(smtpPort);
    }
  });
});
