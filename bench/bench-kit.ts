import { randomBytes } from 'node:crypto';
/**
 * What the benchmarks share: arguments, a scratch database of their own (created,
 * migrated, dropped), the reading fixtures, a concurrency pool and latency figures.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../config/data-source-options';
import { SessionService } from '../src/identity/session.service';
import { deleteKeysMatching } from '../test/support/redis-keys';
import { adminDatabaseUrl } from '../test/support/test-environment';
import type { LoadPlan, LoadRequest, LoadResult } from './http-load';

/** `[N] [--keep] [--name=number …]`: how many items, whether to keep the scratch database, numeric options. */
export function benchArgs(defaultCount: number): { count: number; keep: boolean; option: (name: string, fallback: number) => number } {
  const args = process.argv.slice(2);
  const option = (name: string, fallback: number) => {
    const given = args.find((arg) => arg.startsWith(`--${name}=`));
    return given ? Number(given.slice(name.length + 3)) : fallback;
  };
  return { count: Number(args.find((arg) => /^\d+$/.test(arg)) ?? defaultCount), keep: args.includes('--keep'), option };
}

/**
 * Runs `work` on a freshly migrated database named `bench_<label>_<time>` and drops
 * it afterwards (unless `keep`), or on the database BENCH_DATABASE names, which it keeps.
 * TEST_ADMIN_DATABASE_URL names a role that may create databases.
 */
export async function withScratchDatabase(
  label: string,
  options: { poolSize: number; keep: boolean },
  work: (dataSource: DataSource, databaseUrl: string) => Promise<void>,
): Promise<void> {
  const adminUrl = adminDatabaseUrl();
  // BENCH_DATABASE names a database kept by an earlier run (--keep): migrated up, loaded only with what is missing, kept again.
  const reused = process.env.BENCH_DATABASE;
  const databaseName = reused ?? `bench_${label}_${Date.now().toString(36)}`;
  const keep = options.keep || reused !== undefined;
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${databaseName}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  if (!reused) await admin.query(`CREATE DATABASE "${databaseName}"`);
  let dataSource: DataSource | undefined;
  try {
    dataSource = await new DataSource({
      ...dataSourceOptions({ DATABASE_URL: databaseUrl.toString(), DATABASE_POOL_SIZE: options.poolSize }),
      entities: [],
    }).initialize();
    await dataSource.runMigrations();
    await work(dataSource, databaseUrl.toString());
  } finally {
    await dataSource?.destroy();
    if (keep) process.stdout.write(`kept database ${databaseName}\n`);
    else await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    await admin.end();
  }
}

export interface ReadingTarget {
  customerId: number;
  code: string;
  name: string;
  meterId: number;
}

/**
 * `count` customers of one company, each with a hot-water meter and three years of
 * monthly billable readings (so the hints have history to read), and an open
 * company-wide reading window.
 */
export async function loadReadingCustomers(
  dataSource: DataSource,
  count: number,
): Promise<{ companyId: number; targets: ReadingTarget[] }> {
  const [company] = (await dataSource.query(`INSERT INTO companies (code, name) VALUES ('bench', 'Bench Kft.') RETURNING id`)) as Array<{
    id: number;
  }>;
  const companyId = company.id;
  await dataSource.query(
    `INSERT INTO customers (company_id, code, name, postcode, town, address)
     SELECT $1, 'B' || lpad(i::text, 7, '0'), 'Bench ' || i, '1111', 'Budapest', 'Fő utca ' || i FROM generate_series(1, $2) AS i`,
    [companyId, count],
  );
  await dataSource.query(
    `INSERT INTO service_points (company_id, customer_id, postcode, town, address)
     SELECT company_id, id, '1111', 'Budapest', address FROM customers WHERE company_id = $1`,
    [companyId],
  );
  await dataSource.query(
    `INSERT INTO meters (company_id, service_point_id, serial_number, type, unit, decimals)
     SELECT company_id, id, 'BM' || id, 'hot_water', 'm3', 1 FROM service_points WHERE company_id = $1`,
    [companyId],
  );
  await dataSource.query(
    `INSERT INTO readings (company_id, meter_id, read_on, value, kind)
     SELECT company_id, id, (date_trunc('month', now()) - make_interval(months => 36 - k))::date, 10 * k, 'normal'
       FROM meters, generate_series(0, 35) AS k WHERE company_id = $1`,
    [companyId],
  );
  await dataSource.query(`INSERT INTO reading_windows (company_id, opens_on, closes_on) VALUES ($1, current_date - 3, current_date + 3)`, [
    companyId,
  ]);
  await dataSource.query('ANALYZE');
  const rows: Array<{ customer_id: string; code: string; name: string; meter_id: string }> = await dataSource.query(
    `SELECT sp.customer_id, c.code, c.name, m.id AS meter_id FROM meters m
       JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
       JOIN customers c ON c.company_id = sp.company_id AND c.id = sp.customer_id
      WHERE m.company_id = $1 ORDER BY m.id`,
    [companyId],
  );
  return {
    companyId,
    targets: rows.map((row) => ({ customerId: Number(row.customer_id), code: row.code, name: row.name, meterId: Number(row.meter_id) })),
  };
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** "label: N in S s = R/s; p50 …, p99 …" */
export function latencyReport(label: string, count: number, seconds: number, latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  return (
    `${label}: ${count} in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)}/s; ` +
    `p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms\n`
  );
}

/** A server process under load: its address and its pid (for its CPU time). */
export interface MeasuredServer {
  baseUrl: string;
  pid: number;
}

export interface HttpFigures {
  perSecond: number;
  p50: number;
  p99: number;
  /** The server process's CPU time per measured request. */
  cpuMs: number;
}

/**
 * Sends `warmUp`, then measures `requests` (CONCURRENCY at once, bench/http-load.ts in a
 * worker thread) against the server: req/s, p50, p99 and the server's CPU time per
 * request. Throws unless every measured request got `expected` (200 for a GET, 201 for a POST).
 */
export async function measureHttp(
  server: MeasuredServer,
  label: string,
  warmUp: LoadRequest[],
  requests: LoadRequest[],
  expected = requests[0].method === 'POST' ? 201 : 200,
): Promise<HttpFigures> {
  let cpuBefore = 0;
  const result = await runHttpLoad({ baseUrl: server.baseUrl, concurrency: CONCURRENCY, warmUp, requests }, () => {
    cpuBefore = cpuMilliseconds(server.pid);
  });
  const cpuMs = (cpuMilliseconds(server.pid) - cpuBefore) / requests.length;
  if ((result.statuses[expected] ?? 0) !== requests.length) {
    throw new Error(`${label} at ${server.baseUrl}: statuses ${JSON.stringify(result.statuses)}`);
  }
  const sorted = [...result.latencies].sort((a, b) => a - b);
  return { perSecond: requests.length / result.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), cpuMs };
}

/** "1,234 req/s, p50 … ms, p99 … ms" */
export function describeFigures(figures: HttpFigures): string {
  return `${Math.round(figures.perSecond).toLocaleString('en')} req/s, p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms`;
}

/** "low–high" of the values as formatted, or the one value when they agree. */
export function range(values: number[], format: (value: number) => string): string {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return low === high ? format(low) : `${format(low)}–${format(high)}`;
}

/**
 * Runs bench/http-load.ts in a worker thread (its own event loop and core) and returns
 * its figures; `onMeasuring` is called when the warm-up is over and the measured requests start.
 */
export async function runHttpLoad(plan: LoadPlan, onMeasuring?: () => void): Promise<LoadResult> {
  const script = path.join(__dirname, 'http-load.ts');
  const worker = new Worker(`require('ts-node').register({ transpileOnly: true }); require(${JSON.stringify(script)});`, {
    eval: true,
    workerData: plan,
  });
  try {
    return await new Promise<LoadResult>((resolve, reject) => {
      worker.on('message', (message: LoadResult | 'measuring') => (message === 'measuring' ? onMeasuring?.() : resolve(message)));
      worker.once('error', reject);
    });
  } finally {
    await worker.terminate();
  }
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux). Per
 * request it is the benchmark's steadiest figure on a shared machine: other work
 * slows a server's answers down but does not add to its own CPU time.
 */
export function cpuMilliseconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

export function elapsed(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(2);
}

/**
 * A TypeScript entry point (of the project, or an absolute path) in a Node process of its own, as in production.
 * With BENCH_CPU_PROF_DIR set, the process writes a V8 CPU profile there when it exits
 * (summarise it with bench/profile-top.ts).
 */
export function startProcess(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const profile = profileDir
    ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${path.basename(script, '.ts')}-${Date.now()}.cpuprofile`]
    : [];
  const child = spawn(process.execPath, [...profile, '-r', 'ts-node/register/transpile-only', path.resolve(__dirname, '..', script)], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`${script} exited with ${code}\n`);
  });
  return child;
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Waits until the API process answers /health/ready. */
export async function waitUntilReady(baseUrl: string, child: ChildProcess): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error('the API process exited during start-up');
    const ready = await fetch(`${baseUrl}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A bearer token for each customer, as the login would issue it. */
export async function issueCustomerTokens(
  sessions: SessionService,
  companyId: number,
  targets: ReadonlyArray<{ customerId: number; code: string; name: string }>,
  concurrency: number,
): Promise<string[]> {
  const tokens: string[] = [];
  await pool(
    targets.map((target, i) => ({ target, i })),
    concurrency,
    async ({ target, i }) => {
      tokens[i] = await sessions.issueApiToken({
        kind: 'customer',
        companyId,
        customerId: target.customerId,
        name: target.name,
        code: target.code,
      });
    },
  );
  return tokens;
}

/** A supervisor of the company (within its grace period for a first second factor) and a bearer token for them. */
export async function createBenchClerk(
  dataSource: DataSource,
  sessions: SessionService,
  companyId: number,
): Promise<{ id: number; token: string }> {
  await dataSource.query(`UPDATE companies SET totp_grace_days = 90 WHERE id = $1`, [companyId]);
  const [clerk] = (await dataSource.query(
    `INSERT INTO clerks (company_id, email, name, role, password_hash) VALUES ($1, 'bench@example.test', 'Bench', 'supervisor', 'x') RETURNING id`,
    [companyId],
  )) as Array<{ id: number }>;
  const token = await sessions.issueApiToken({ kind: 'clerk', companyId, clerkId: clerk.id, name: 'Bench', role: 'supervisor' });
  return { id: clerk.id, token };
}

/** The load every HTTP benchmark applies, so that their figures compare: 50 requests at once, after 1,000 unmeasured ones (a warm process, not a cold start). */
export const CONCURRENCY = 50;
export const WARM_UP = 1_000;
/** Connections of each server's (and the service-layer run's) pool; more would only queue inside Postgres on two cores. */
export const POOL_SIZE = 20;

/**
 * What a portal process needs to start with NODE_ENV=production (an https address and
 * secrets of its own, which production refuses to take from the demo), plus a write limit
 * no benchmark customer reaches.
 */
export function productionSettings(): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    PUBLIC_URL: 'https://bench.invalid',
    TOTP_ENCRYPTION_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    NOTIFICATION_LINK_SECRET: randomBytes(32).toString('hex'),
    WRITE_LIMIT_PER_MINUTE: '1000000',
  };
}

/** A run's own Redis key prefix (`bench-<time>:`) and BullMQ queue prefix (`{bench-<time>}`); `label` replaces `bench`. */
export function benchPrefixes(label = 'bench'): { redisPrefix: string; queuePrefix: string } {
  const name = `${label}-${Date.now().toString(36)}`;
  return { redisPrefix: `${name}:`, queuePrefix: `{${name}}` };
}

/** The environment of a portal process on this database and these Redis prefixes: production settings (unless `production: false`), LOG_LEVEL=warn, then `extra`. */
export function benchEnv(
  settings: { databaseUrl: string; redisUrl: string; redisPrefix: string; queuePrefix: string; poolSize?: number; production?: boolean },
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...(settings.production === false ? {} : productionSettings()),
    DATABASE_URL: settings.databaseUrl,
    DATABASE_POOL_SIZE: String(settings.poolSize ?? POOL_SIZE),
    REDIS_URL: settings.redisUrl,
    REDIS_KEY_PREFIX: settings.redisPrefix,
    QUEUE_PREFIX: settings.queuePrefix,
    LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** Deletes every key under `prefixes`, through `redis` if given a client, else over a connection of its own to that URL. */
export async function deleteBenchKeys(redis: Redis | string, prefixes: readonly string[]): Promise<void> {
  const client = typeof redis === 'string' ? new Redis(redis, { lazyConnect: true, maxRetriesPerRequest: 1 }) : redis;
  try {
    if (client !== redis) await client.connect();
    for (const prefix of prefixes) await deleteKeysMatching(client, `${prefix}*`);
  } finally {
    if (client !== redis) client.disconnect();
  }
}
