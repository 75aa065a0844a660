/**
 * Meter readings end to end, on a scratch database of its own (created, migrated,
 * loaded, dropped at the end) with M customers loaded (default 100,000), each with
 * a meter, three years of monthly readings and an open reading window:
 *
 * 1. N customers submit a reading through the HTTP API (POST /api/v1/readings),
 *    50 at once, to the API role in a process of its own (src/main.ts). The client
 *    runs in a worker thread of this process (bench/http-load.ts).
 * 2. N other customers submit through ReadingService.submit, 50 at once, on a pool
 *    of the same size: the same path without HTTP, so the framework's share shows.
 *    Each run is preceded by 1,000 unmeasured submissions of yet other customers,
 *    so both measure a warm process (JIT, pools, prepared statements), not a cold start.
 * 3. A clerk bulk-approves the N readings of step 1 in one API call
 *    (POST /api/v1/backoffice/requests/bulk-approve), and a worker process
 *    (src/worker.ts: outbox relay, BullMQ, the applier) applies them; the clock
 *    stops when every one is applied.
 *
 *   npx ts-node --transpile-only bench/readings.ts [N=10000] [--customers=100000] [--keep]
 *
 * TEST_ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names
 * a role that may create databases; REDIS_URL (default redis://127.0.0.1:6379) the
 * Redis server. Redis keys go under prefixes of their own and are deleted at the end.
 */
import { ChildProcess } from 'node:child_process';
import { DataSource } from 'typeorm';
import { parseConfig } from '../config/configuration';
import { WorkflowEngine } from '../libs/workflow/workflow-engine';
import { createHttpApp } from '../src/bootstrap';
import { SessionService } from '../src/identity/session.service';
import { readingRequestKind } from '../src/metering/reading-request.kind';
import { ReadingService } from '../src/metering/reading.service';
import {
  benchArgs,
  benchEnv,
  benchPrefixes,
  CONCURRENCY,
  createBenchClerk,
  deleteBenchKeys,
  elapsed,
  freePort,
  issueCustomerTokens,
  latencyReport,
  loadReadingCustomers,
  pool,
  POOL_SIZE,
  ReadingTarget,
  runHttpLoad,
  startProcess,
  stopProcess,
  waitUntilReady,
  WARM_UP,
  withScratchDatabase,
} from './bench-kit';

async function main(): Promise<void> {
  const { count, keep, option } = benchArgs(10_000);
  const customers = Math.max(option('customers', 100_000), count * 2 + WARM_UP * 2);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { redisPrefix, queuePrefix } = benchPrefixes();
  let app: Awaited<ReturnType<typeof createHttpApp>> | undefined;
  const children: ChildProcess[] = [];
  try {
    await withScratchDatabase('readings', { poolSize: POOL_SIZE, keep }, async (dataSource, databaseUrl) => {
      const env = benchEnv({ databaseUrl, redisUrl, redisPrefix, queuePrefix });
      const worker = startProcess('src/worker.ts', { ...env, ROLE: 'worker' });
      children.push(worker);

      let started = performance.now();
      const { companyId, targets } = await loadReadingCustomers(dataSource, customers);
      process.stdout.write(`loaded ${customers} customers, each with a meter and 36 readings, in ${elapsed(started)} s\n`);

      // This process's app only issues the bearer tokens (SessionService); it serves nothing.
      app = await createHttpApp(parseConfig({ ...env, ROLE: 'api' }), 'api');
      // Initialised, so its Redis connection is ready before sessions are issued (InteractiveRedis.onModuleInit).
      await app.init();
      const sessions = app.get(SessionService);
      const overHttp = targets.slice(0, count);
      const port = await freePort();
      const api = startProcess('src/main.ts', { ...env, ROLE: 'api', PORT: String(port) });
      children.push(api);
      const apiBaseUrl = `http://127.0.0.1:${port}`;
      await waitUntilReady(apiBaseUrl, api);
      const httpPerSecond = await submitOverHttp(apiBaseUrl, sessions, companyId, targets.slice(2 * count, 2 * count + WARM_UP), overHttp);

      const directPerSecond = await submitDirectly(
        dataSource,
        companyId,
        targets.slice(2 * count + WARM_UP, 2 * count + 2 * WARM_UP),
        targets.slice(count, 2 * count),
      );
      process.stdout.write(
        `HTTP's share of the service call: ${Math.round((100 * httpPerSecond) / directPerSecond)} % ` +
          '(the share against a plain server doing the same statements: bench/http-share.ts)\n',
      );

      const { token: clerkToken } = await createBenchClerk(dataSource, sessions, companyId);
      const requestIds: Array<{ id: string }> = await dataSource.query(
        `SELECT id FROM requests WHERE company_id = $1 AND customer_id = ANY($2::bigint[]) AND state = 'submitted' ORDER BY id`,
        [companyId, overHttp.map((t) => t.customerId)],
      );
      started = performance.now();
      const response = await fetch(`${apiBaseUrl}/api/v1/backoffice/requests/bulk-approve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clerkToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ items: requestIds.map((r) => ({ requestId: Number(r.id), expectedVersion: 1 })) }),
      });
      const answer = (await response.json()) as { approved?: number; message?: unknown };
      if (response.status !== 200) throw new Error(`bulk approval answered ${response.status}: ${JSON.stringify(answer.message)}`);
      const approvedSeconds = elapsed(started);
      await waitUntilApplied(dataSource, companyId, answer.approved ?? 0, worker);
      process.stdout.write(
        `bulk approval of ${requestIds.length} readings: ${answer.approved} approved in ${approvedSeconds} s (one API call); ` +
          `all applied by the worker (${parseConfig(env).WORKER_CONCURRENCY} jobs at once) ${elapsed(started)} s after the click\n`,
      );
    });
  } finally {
    await app?.close();
    await Promise.all(children.map(stopProcess));
    await deleteBenchKeys(redisUrl, [redisPrefix, queuePrefix]);
  }
}

async function submitOverHttp(
  baseUrl: string,
  sessions: SessionService,
  companyId: number,
  warmUp: ReadingTarget[],
  targets: ReadingTarget[],
): Promise<number> {
  const asRequests = async (group: ReadingTarget[]) => {
    const tokens = await issueCustomerTokens(sessions, companyId, group, CONCURRENCY);
    return group.map((target, i) => ({
      method: 'POST' as const,
      path: '/api/v1/readings',
      headers: { authorization: `Bearer ${tokens[i]}` },
      body: { meterId: target.meterId, value: '365.5' },
    }));
  };
  const submitted = await runHttpLoad({
    baseUrl,
    concurrency: CONCURRENCY,
    warmUp: await asRequests(warmUp),
    requests: await asRequests(targets),
  });
  process.stdout.write(
    latencyReport(
      `submissions over HTTP (POST /api/v1/readings, ${CONCURRENCY} concurrent customers)`,
      targets.length,
      submitted.seconds,
      submitted.latencies,
    ),
  );
  if ((submitted.statuses[201] ?? 0) !== targets.length) process.stdout.write(`  statuses: ${JSON.stringify(submitted.statuses)}\n`);
  return targets.length / submitted.seconds;
}

/** Returns submissions per second. */
async function submitDirectly(
  dataSource: DataSource,
  companyId: number,
  warmUp: ReadingTarget[],
  targets: ReadingTarget[],
): Promise<number> {
  const engine = new WorkflowEngine();
  engine.register(readingRequestKind);
  const readings = new ReadingService(dataSource, engine);
  const submit = async (target: ReadingTarget) => {
    const result = await readings.submit(companyId, target.customerId, { meterId: target.meterId, value: '365.5' });
    if (!result.ok) throw new Error(result.error.message);
  };
  await pool(warmUp, CONCURRENCY, submit);
  const latencies: number[] = [];
  const started = performance.now();
  await pool(targets, CONCURRENCY, async (target) => {
    const t0 = performance.now();
    await submit(target);
    latencies.push(performance.now() - t0);
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    latencyReport(
      `submissions without HTTP (ReadingService.submit, ${CONCURRENCY} concurrent customers)`,
      targets.length,
      seconds,
      latencies,
    ),
  );
  return targets.length / seconds;
}

async function waitUntilApplied(dataSource: DataSource, companyId: number, expected: number, worker: ChildProcess): Promise<void> {
  let lastReport = performance.now();
  for (;;) {
    const [row] = (await dataSource.query(`SELECT count(*)::int AS applied FROM requests WHERE company_id = $1 AND state = 'applied'`, [
      companyId,
    ])) as Array<{ applied: number }>;
    if (row.applied >= expected) return;
    if (worker.exitCode !== null) throw new Error('the worker process exited before applying every reading');
    if (performance.now() - lastReport > 5_000) {
      process.stdout.write(`  … ${row.applied} of ${expected} applied\n`);
      lastReport = performance.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
