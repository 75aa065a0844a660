/**
 * Due-date reminders end to end, with one and then two worker processes, each time
 * on a scratch database of its own (created, migrated, loaded, dropped at the end):
 * N customers (default 100,000), each with a verified portal account and an unpaid
 * invoice due in two days. The clock starts when the scheduler's job is added (a
 * firing) and stops when a local SMTP sink has accepted the N-th e-mail; the sink
 * only counts, so it costs the workers as little as a real relay would.
 *
 *   npx ts-node --transpile-only bench/reminders.ts [N=100000] [--workers=2] [--smtp-connections=50] [--chunk-size=5000] [--keep]
 *
 * --workers=2 runs one worker, then two; --workers=1 runs one only. --smtp-connections is
 * each worker's SMTP_POOL_SIZE (a local relay takes many; the default 10 suits a remote one).
 * --chunk-size is REMINDER_CHUNK_SIZE, set explicitly so a developer's .env does not change the figure.
 * The load average is printed beside each figure: the machine may be shared. Same environment
 * variables as bench/readings.ts (TEST_ADMIN_DATABASE_URL, REDIS_URL); Redis keys go
 * under prefixes of their own and are deleted at the end.
 */
import { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { DataSource } from 'typeorm';
import { JOBS } from '../src/jobs';
import {
  benchArgs,
  benchEnv,
  benchPrefixes,
  deleteBenchKeys,
  POOL_SIZE,
  startProcess,
  stopProcess,
  withScratchDatabase,
} from './bench-kit';

async function main(): Promise<void> {
  const { count, keep, option } = benchArgs(100_000);
  const maxWorkers = option('workers', 2);
  const smtpConnections = option('smtp-connections', 50);
  const chunkSize = option('chunk-size', 5000);
  for (let workers = 1; workers <= maxWorkers; workers += 1) await runWith(workers, count, smtpConnections, chunkSize, keep);
}

async function runWith(workerCount: number, count: number, smtpConnections: number, chunkSize: number, keep: boolean): Promise<void> {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { redisPrefix, queuePrefix } = benchPrefixes();
  const sink = await startSmtpSink();
  const children: ChildProcess[] = [];
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    await withScratchDatabase('reminders', { poolSize: POOL_SIZE, keep }, async (dataSource, databaseUrl) => {
      let started = performance.now();
      await loadCustomersWithDueInvoices(dataSource, count);
      process.stdout.write(
        `loaded ${count} customers, each with a verified account and an invoice due in 2 days, in ${elapsed(started)} s\n`,
      );
      const env = benchEnv(
        { databaseUrl, redisUrl, redisPrefix, queuePrefix },
        { SMTP_URL: `smtp://127.0.0.1:${sink.port}`, SMTP_POOL_SIZE: String(smtpConnections), REMINDER_CHUNK_SIZE: String(chunkSize) },
      );
      for (let i = 0; i < workerCount; i += 1) children.push(startProcess('src/worker.ts', { ...env, ROLE: 'worker' }));
      const emailQueue = new Queue(JOBS.sendEmail.queue, { connection: redis, prefix: queuePrefix });
      const reminderQueue = new Queue(JOBS.runReminders.queue, { connection: redis, prefix: queuePrefix });
      try {
        while ((await emailQueue.getWorkersCount()) < workerCount) await sleep(200);
        const loadBefore = loadavg()[0];
        const cpuBefore = process.cpuUsage();
        const workersCpuBefore = children.map(cpuSecondsOf);
        started = performance.now();
        await reminderQueue.add(JOBS.runReminders.name, { kind: 'due_date' });
        await sink.received(count);
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuBefore);
        const workersCpu = children.reduce((sum, child, i) => sum + cpuSecondsOf(child) - workersCpuBefore[i], 0);
        // CPU time, unlike e-mails per second, hardly depends on what else the machine runs.
        process.stdout.write(
          `  worker CPU ${workersCpu.toFixed(1)} s (${((workersCpu / count) * 1e6).toFixed(0)} µs per e-mail); ` +
            `this process (the SMTP sink) ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s\n`,
        );
        // The claiming may still be finishing (a re-run of a job BullMQ thought stalled): then "–".
        const [run]: Array<{ seconds: number | null }> = await dataSource.query(
          `SELECT extract(epoch FROM max(finished_at) - min(started_at))::float AS seconds FROM reminders m JOIN reminder_runs r ON r.id = m.run_id`,
        );
        process.stdout.write(
          `${workerCount} worker process(es), ${smtpConnections} SMTP connections each, chunks of ${chunkSize}: ` +
            `${count} reminders claimed and queued in ` +
            `${run?.seconds === null || run === undefined ? '–' : run.seconds.toFixed(2)} s; last e-mail accepted ${seconds.toFixed(2)} s ` +
            `after the firing: ${Math.round(count / seconds)} e-mails/s (load average ${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after)\n`,
        );
      } finally {
        await emailQueue.close();
        await reminderQueue.close();
        await Promise.all(children.map(stopProcess));
      }
    });
  } finally {
    await Promise.all(children.map(stopProcess));
    await deleteBenchKeys(redis, [redisPrefix, queuePrefix]);
    redis.disconnect();
    await sink.stop();
  }
}

async function loadCustomersWithDueInvoices(dataSource: DataSource, count: number): Promise<void> {
  const [company]: Array<{ id: number }> = await dataSource.query(
    `INSERT INTO companies (code, name) VALUES ('bench', 'Bench Kft.') RETURNING id`,
  );
  await dataSource.query(
    `INSERT INTO customers (company_id, code, name, postcode, town, address)
     SELECT $1, 'B' || lpad(i::text, 7, '0'), 'Bench ' || i, '1111', 'Budapest', 'Fő utca ' || i FROM generate_series(1, $2) AS i`,
    [company.id, count],
  );
  await dataSource.query(
    `INSERT INTO customer_accounts (company_id, customer_id, login_email, email_verified_at)
     SELECT company_id, id, lower(code) || '@bench.test', now() FROM customers WHERE company_id = $1`,
    [company.id],
  );
  await dataSource.query(
    `INSERT INTO invoices (company_id, customer_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount)
     SELECT company_id, id, 'SZ-' || code, 'water', date_trunc('month', current_date)::date, current_date - 10, current_date + 2, 12500, 12500
       FROM customers WHERE company_id = $1`,
    [company.id],
  );
  await dataSource.query('ANALYZE');
}

/** User and system CPU seconds a child process has used so far (Linux /proc; NaN elsewhere). */
function cpuSecondsOf(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat(5), here 11 and 12 after the command name; in clock ticks (100 a second).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** An SMTP server that accepts and counts messages, without parsing them. */
async function startSmtpSink(): Promise<{ port: number; received: (count: number) => Promise<void>; stop: () => Promise<void> }> {
  let accepted = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        accepted += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    port,
    received: async (count) => {
      while (accepted < count) await sleep(50);
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function elapsed(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(2);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
