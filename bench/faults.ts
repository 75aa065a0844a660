/**
 * Fault injection at scale, on a scratch database of its own (created, migrated,
 * loaded, dropped) and a Redis server of its own (started, killed, started again
 * on a free port, without persistence), with the API and the workers as separate
 * processes, as in production. Each experiment prints what was expected beside what
 * was observed, duplicates and losses, and how long recovery took:
 *
 * 1. Redis killed right after a bulk approval of N readings (jobs relayed, not yet
 *    run), down for --outage seconds, back empty: every request applied once, every
 *    export completed, time from Redis's return until the last is applied.
 * 2. PostgreSQL connections of the worker terminated again and again while it
 *    applies N readings: none APPLY_FAILED, each applied once.
 * 3. A worker SIGKILLed while it applies N readings, a second worker running beside
 *    it: each applied once, time from the kill until the last is applied.
 * 4. SIGTERM to the API under kept-alive load (GET /api/v1/meters, 50 connections):
 *    exit code, requests cut, time to exit.
 * 5. Redis down under the API: status and time of an authenticated request and of
 *    the readiness check.
 *
 *   npx ts-node --transpile-only bench/faults.ts [N=2000] [--outage=10] [--resend-after=5000] [--only=1..5] [--keep]
 *
 * OUTBOX_RESEND_AFTER_MS is --resend-after here (default 5 s, production 60 s): recovery
 * from a Redis that lost its jobs takes about that long plus the relay's poll.
 * TEST_ADMIN_DATABASE_URL names a role that may create databases.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { parseConfig } from '../config/configuration';
import { WorkflowEngine } from '../libs/workflow/workflow-engine';
import { RequestKinds } from '../src/approval/request-kind';
import { BULK_MAX, ReviewService } from '../src/approval/review.service';
import { MeterHistory } from '../src/metering/meter-history.service';
import { ReadingReview } from '../src/metering/reading-review';
import { createHttpApp } from '../src/bootstrap';
import { SessionService } from '../src/identity/session.service';
import { ReadingService } from '../src/metering/reading.service';
import { keepAliveClient } from '../test/support/keep-alive-client';
import { freePort } from '../test/support/portal-process';
import { PrivateRedis } from '../test/support/private-redis';
import { benchArgs, CONCURRENCY, loadReadingCustomers, pool, productionSettings, ReadingTarget, withScratchDatabase } from './bench-kit';

const WORKER_APP_NAME = 'faults-worker';

interface Context {
  dataSource: DataSource;
  companyId: number;
  targets: ReadingTarget[];
  env: NodeJS.ProcessEnv;
  redis: PrivateRedis;
  readings: ReadingService;
  review: ReviewService;
  clerkId: number;
}

async function main(): Promise<void> {
  const { count, keep, option } = benchArgs(2_000);
  const outageSeconds = option('outage', 10);
  const resendAfterMs = option('resend-after', 5_000);
  const redis = await PrivateRedis.start();
  const children = new Set<ChildProcess>();
  try {
    await withScratchDatabase('faults', { poolSize: 20, keep }, async (dataSource, databaseUrl) => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        ...productionSettings(),
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_SIZE: '20',
        REDIS_URL: redis.url,
        OUTBOX_RESEND_AFTER_MS: String(resendAfterMs),
        LOG_LEVEL: 'fatal',
      };
      const started = performance.now();
      const { companyId, targets } = await loadReadingCustomers(dataSource, count * 3 + 1);
      print(`loaded ${targets.length} customers in ${seconds(started)} s; N = ${count}, OUTBOX_RESEND_AFTER_MS = ${resendAfterMs}`);
      const engine = new WorkflowEngine();
      const kinds = new RequestKinds(engine);
      new ReadingReview(dataSource, kinds, new MeterHistory(dataSource)).onModuleInit();
      const readings = new ReadingService(dataSource, engine);
      const [clerk] = (await dataSource.query(
        `INSERT INTO clerks (company_id, email, name, role, password_hash) VALUES ($1, 'faults@example.test', 'Faults', 'supervisor', 'x') RETURNING id`,
        [companyId],
      )) as Array<{ id: number }>;
      const context: Context = {
        dataSource,
        companyId,
        targets,
        env,
        redis,
        readings,
        review: new ReviewService(dataSource, engine, kinds),
        clerkId: clerk.id,
      };
      const start = (script: string, extra: NodeJS.ProcessEnv = {}) => {
        const child = startProcess(script, { ...env, ...extra });
        children.add(child);
        child.once('exit', () => children.delete(child));
        return child;
      };

      const only = option('only', 0);
      const runs = (experiment: number) => only === 0 || only === experiment;
      if (runs(1)) await redisLostAfterApproval(context, targets.slice(0, count), outageSeconds, start);
      if (runs(2)) await databaseConnectionsTerminated(context, targets.slice(count, 2 * count), start);
      if (runs(3)) await workerKilledMidApply(context, targets.slice(2 * count, 3 * count), start);
      if (runs(4) || runs(5)) await sigtermUnderLoad(context, targets[3 * count], start);
    });
  } finally {
    await Promise.all([...children].map(stopProcess));
    await redis.kill();
  }
}

type Start = (script: string, extra?: NodeJS.ProcessEnv) => ChildProcess;

async function redisLostAfterApproval(context: Context, batch: ReadingTarget[], outageSeconds: number, start: Start): Promise<void> {
  header(`1. Redis killed after a bulk approval of ${batch.length}, down ${outageSeconds} s, back empty`);
  const requestIds = await submitAndApprove(context, batch, false);
  const worker = start('src/worker.ts', { PGAPPNAME: WORKER_APP_NAME });
  // The kill comes as soon as every apply job is in Redis: most have not run yet.
  await waitUntil(async () => (await outboxCounts(context, requestIds)).relayed >= requestIds.length, 120_000);
  const appliedBefore = (await outcome(context, requestIds)).applied;
  await context.redis.kill();
  await sleep(outageSeconds * 1_000);
  await context.redis.startAgain();
  const back = performance.now();
  await waitUntil(async () => (await outcome(context, requestIds)).applied >= requestIds.length, 300_000);
  const recovery = seconds(back);
  await waitUntil(async () => (await exportsPending(context, requestIds)) === 0, 120_000).catch(() => undefined);
  const result = await outcome(context, requestIds);
  print(`applied before the kill: ${appliedBefore} of ${requestIds.length}`);
  report(requestIds.length, result);
  print(`exports not completed: expected 0, observed ${await exportsPending(context, requestIds)}`);
  print(`recovery: all applied ${recovery} s after Redis came back`);
  await stopProcess(worker);
}

async function databaseConnectionsTerminated(context: Context, batch: ReadingTarget[], start: Start): Promise<void> {
  header(`2. the worker's PostgreSQL connections terminated every 300 ms while it applies ${batch.length}`);
  const requestIds = await submitAndApprove(context, batch, false);
  const worker = start('src/worker.ts', { PGAPPNAME: WORKER_APP_NAME });
  let terminations = 0;
  let killed = 0;
  const began = performance.now();
  for (;;) {
    const now = await outcome(context, requestIds);
    if (now.applied + now.failed >= requestIds.length) break;
    if (performance.now() - began > 300_000) break;
    if (now.applied > 0 && terminations < 20) {
      const [row] = (await context.dataSource.query(
        `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS killed FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = $1`,
        [WORKER_APP_NAME],
      )) as Array<{ killed: number }>;
      killed += row.killed;
      terminations += 1;
    }
    await sleep(300);
  }
  const result = await outcome(context, requestIds);
  print(`terminated ${killed} connections in ${terminations} rounds`);
  report(requestIds.length, result);
  print(`all settled ${seconds(began)} s after the approval`);
  await stopProcess(worker);
}

async function workerKilledMidApply(context: Context, batch: ReadingTarget[], start: Start): Promise<void> {
  header(`3. one of two workers SIGKILLed while they apply ${batch.length}`);
  const first = start('src/worker.ts', { PGAPPNAME: WORKER_APP_NAME, WORKER_CONCURRENCY: '16' });
  const second = start('src/worker.ts', { PGAPPNAME: WORKER_APP_NAME });
  await sleep(8_000); // both started (ts-node)
  const requestIds = await submitAndApprove(context, batch, true);
  await waitUntil(async () => (await outcome(context, requestIds)).applied >= requestIds.length / 3, 300_000);
  first.kill('SIGKILL');
  const killedAt = performance.now();
  const appliedAtKill = (await outcome(context, requestIds)).applied;
  await waitUntil(async () => (await outcome(context, requestIds)).applied >= requestIds.length, 300_000);
  const result = await outcome(context, requestIds);
  print(`applied when the worker was killed: ${appliedAtKill} of ${requestIds.length}`);
  report(requestIds.length, result);
  print(`recovery: all applied ${seconds(killedAt)} s after the kill (lock 10 s, stalled check every 5 s)`);
  await stopProcess(second);
}

async function sigtermUnderLoad(context: Context, customer: ReadingTarget, start: Start): Promise<void> {
  header('4. SIGTERM to the API under kept-alive load (GET /api/v1/meters, 50 connections)');
  const port = await freePort();
  const api = start('src/main.ts', { ROLE: 'api', PORT: String(port) });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil(
    () =>
      fetch(`${baseUrl}/health/ready`).then(
        (r) => r.ok,
        () => false,
      ),
    60_000,
  );
  // This process's app only issues the bearer token; it serves nothing.
  const app = await createHttpApp(parseConfig({ ...context.env, ROLE: 'api' }), 'api');
  // Initialised, so its Redis connection is ready before sessions are issued (InteractiveRedis.onModuleInit).
  await app.init();
  const token = await app.get(SessionService).issueApiToken({
    kind: 'customer',
    companyId: context.companyId,
    customerId: customer.customerId,
    name: customer.name,
    code: customer.code,
  });
  await app.close();
  const authorization = `Bearer ${token}`;

  let giveUp = false;
  const clients = Array.from({ length: CONCURRENCY }, () =>
    keepAliveClient(port, '/api/v1/meters', () => giveUp, { headers: { authorization } }),
  );
  await sleep(3_000);
  const signalled = performance.now();
  api.kill('SIGTERM');
  const safety = setTimeout(() => (giveUp = true), 30_000);
  const [code] = (await once(api, 'exit')) as [number | null];
  const exitSeconds = seconds(signalled);
  giveUp = true;
  clearTimeout(safety);
  const results = await Promise.all(clients);
  const answers = results.flatMap((r) => r.answers);
  const cut = results.filter((r) => r.error).length;
  const notOk = answers.filter((a) => a.status !== 200).length;
  print(`exit code: expected 0, observed ${code}; exited ${exitSeconds} s after SIGTERM`);
  print(`requests cut: expected 0, observed ${cut}; answers other than 200: expected 0, observed ${notOk} of ${answers.length}`);

  header('5. Redis down under the API');
  const api2 = start('src/main.ts', { ROLE: 'api', PORT: String(port) });
  await waitUntil(
    () =>
      fetch(`${baseUrl}/health/ready`).then(
        (r) => r.ok,
        () => false,
      ),
    60_000,
  );
  await context.redis.kill();
  const timed = async (url: string, headers: Record<string, string> = {}) => {
    const t0 = performance.now();
    const response = await fetch(url, { headers, signal: AbortSignal.timeout(30_000) }).catch((error: Error) => ({
      status: error.name,
    }));
    return `${response.status} in ${(performance.now() - t0).toFixed(0)} ms`;
  };
  print(
    `GET /api/v1/meters (bearer): expected 503 within a second, observed ${await timed(`${baseUrl}/api/v1/meters`, { authorization })}`,
  );
  print(`GET /health/ready: expected 503 within a second, observed ${await timed(`${baseUrl}/health/ready`)}`);
  await context.redis.startAgain();
  const back = performance.now();
  await waitUntil(
    () =>
      fetch(`${baseUrl}/health/ready`).then(
        (r) => r.ok,
        () => false,
      ),
    60_000,
  );
  print(`readiness 200 again ${seconds(back)} s after Redis came back`);
  await stopProcess(api2);
}

/** Submits a reading for each target and approves them all (BULK_MAX at a time); returns the request ids. */
async function submitAndApprove(context: Context, batch: ReadingTarget[], quiet: boolean): Promise<number[]> {
  const requestIds: number[] = [];
  await pool(batch, CONCURRENCY, async (target) => {
    const result = await context.readings.submit(context.companyId, target.customerId, { meterId: target.meterId, value: '365.5' });
    if (!result.ok) throw new Error(result.error.message);
    requestIds.push(result.value.requestId);
  });
  const t0 = performance.now();
  for (let i = 0; i < requestIds.length; i += BULK_MAX) {
    const outcomes = await context.review.bulkApprove(
      context.companyId,
      { id: context.clerkId, role: 'supervisor' },
      requestIds.slice(i, i + BULK_MAX).map((requestId) => ({ requestId, expectedVersion: 1 })),
    );
    const refused = outcomes.filter((o) => !o.ok).length;
    if (refused > 0) throw new Error(`${refused} approvals refused`);
  }
  if (!quiet) print(`submitted and approved ${requestIds.length} (approval ${seconds(t0)} s)`);
  return requestIds;
}

interface Outcome {
  applied: number;
  failed: number;
  approved: number;
  duplicates: number;
}

async function outcome(context: Context, requestIds: number[]): Promise<Outcome> {
  const [row] = (await context.dataSource.query(
    `SELECT count(*) FILTER (WHERE state = 'applied')::int AS applied,
            count(*) FILTER (WHERE state = 'apply_failed')::int AS failed,
            count(*) FILTER (WHERE state = 'approved')::int AS approved,
            (SELECT count(*)::int FROM (SELECT request_id FROM readings WHERE request_id = ANY($1) GROUP BY request_id HAVING count(*) > 1) d)
            + (SELECT count(*)::int FROM (SELECT request_id FROM request_transitions WHERE request_id = ANY($1) AND event = 'APPLIED'
                                           GROUP BY request_id HAVING count(*) > 1) t) AS duplicates
       FROM requests WHERE id = ANY($1)`,
    [requestIds],
  )) as Outcome[];
  return row;
}

async function outboxCounts(context: Context, requestIds: number[]): Promise<{ relayed: number }> {
  // The requests whose apply job is relayed: an apply row names a batch of them.
  const [row] = (await context.dataSource.query(
    `SELECT count(DISTINCT named.id)::int AS relayed FROM outbox o
       CROSS JOIN LATERAL jsonb_array_elements_text(COALESCE(o.payload->'requestIds', jsonb_build_array(o.payload->'requestId'))) AS named(id)
      WHERE o.job_name = 'apply' AND o.relayed_at IS NOT NULL AND named.id::bigint = ANY($1)`,
    [requestIds],
  )) as Array<{ relayed: number }>;
  return row;
}

async function exportsPending(context: Context, requestIds: number[]): Promise<number> {
  const [row] = (await context.dataSource.query(
    `SELECT count(*)::int AS pending FROM outbox o
       CROSS JOIN LATERAL jsonb_array_elements_text(COALESCE(o.payload->'readingIds', jsonb_build_array(o.payload->'readingId'))) AS e(id)
       JOIN readings r ON r.id = e.id::bigint
      WHERE o.job_name = 'export-reading' AND o.completed_at IS NULL AND r.request_id = ANY($1)`,
    [requestIds],
  )) as Array<{ pending: number }>;
  return row.pending;
}

function report(expected: number, result: Outcome): void {
  print(`applied: expected ${expected}, observed ${result.applied}; apply_failed: expected 0, observed ${result.failed}`);
  print(`duplicates: expected 0, observed ${result.duplicates}; lost (still approved): expected 0, observed ${result.approved}`);
}

async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await probe())) {
    if (performance.now() > deadline) throw new Error(`gave up after ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
const print = (line: string) => process.stdout.write(`  ${line}\n`);
const header = (line: string) => process.stdout.write(`\n${line}\n`);

function startProcess(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '..', script)], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
