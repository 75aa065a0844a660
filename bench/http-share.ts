/**
 * The framework's share: each hot route of the portal (src/main.ts, ROLE=api,
 * production mode, LOG_LEVEL=warn) against bench/plain-server.ts, a plain
 * node:http + pg + ioredis server doing the same Redis call, SQL and rendering,
 * back to back with the same client (bench/http-load.ts: node:http keep-alive,
 * 50 at once, 1,000 unmeasured requests first, in a worker thread). Each server
 * runs in a process of its own; a scratch database of its own is created,
 * loaded and dropped. The reading routes use customers with a meter and three years of
 * readings; the billing routes (home, invoices, debts) customers of the synthetic loader
 * (src/demo/synthetic-loader.ts: two years of monthly invoices and their debt items).
 *
 *   npx ts-node --transpile-only bench/http-share.ts [N=5000] [--rounds=2] [--only=meters,readings-page,submit,home,invoices,debts] [--development] [--keep]
 *
 * N is the measured requests per route and run; every round measures every route
 * on both servers, so the figures come out as ranges. Beside req/s it prints each
 * server's CPU time per request, and the share by it (plain ÷ portal): on a machine
 * busy with other work the req/s share wanders, the CPU share much less.
 * --server=NAME=PATH[@meters,submit] also measures another server script (same
 * environment and PORT) on every route (or those listed), with its share of the plain server: a candidate, e.g. a
 * spike on another HTTP adapter, against the same yardstick in the same run.
 * --development also runs the portal in development mode (NODE_ENV=development:
 * templates checked for changes on disk) and compares its pages with production.
 * BENCH_CPU_PROF_DIR=/tmp/profiles writes the servers' CPU profiles (bench/profile-top.ts).
 * To add a route: a handler in bench/plain-server.ts's ROUTES and an entry in ROUTES below.
 */
import { ChildProcess } from 'node:child_process';
import { DataSource } from 'typeorm';
import type { PageReply, PageRequest } from '../src/web/http';
import { parseConfig } from '../config/configuration';
import { createHttpApp } from '../src/bootstrap';
import { SESSION_COOKIE, SessionService } from '../src/identity/session.service';
import { Principal } from '../src/identity/principal';
import { LOAD_COMPANY, loadSyntheticCustomers } from '../src/demo/synthetic-loader';
import {
  benchArgs,
  benchEnv,
  benchPrefixes,
  CONCURRENCY,
  deleteBenchKeys,
  describeFigures,
  elapsed,
  freePort,
  HttpFigures,
  loadReadingCustomers,
  MeasuredServer,
  measureHttp,
  pool,
  POOL_SIZE,
  range,
  ReadingTarget,
  startProcess,
  stopProcess,
  waitUntilReady,
  WARM_UP,
  withScratchDatabase,
} from './bench-kit';
import type { LoadRequest } from './http-load';

/** Logged-in customers the read routes take turns with. */
const READERS = 1_000;
/** Customers with invoices and debts (the synthetic loader's) the billing routes take turns with. */
const BILLERS = 1_000;

interface Account {
  customerId: number;
  code: string;
  name: string;
}

interface Customer<T extends Account = ReadingTarget> {
  target: T;
  bearer: string;
  cookie: string;
}

interface Fixtures {
  readers: Customer[];
  /** Customers with two years of invoices; empty unless a billing route is measured. */
  billers: Array<Customer<Account>>;
  /** Customers who have not submitted yet, `count` of them, logged in. */
  fresh(count: number): Promise<Customer[]>;
}

interface ShareRoute {
  /** For --only. */
  key: string;
  label: string;
  /** The issue's target: the portal's share of the plain server's req/s. */
  minShare: number;
  /** An HTML page: with --development, measured in development mode too. */
  page?: boolean;
  /** Needs the synthetic loader's customers (invoices, debts). */
  billing?: boolean;
  requests(fixtures: Fixtures, count: number): Promise<LoadRequest[]>;
}

const readerRequests =
  (make: (customer: Customer) => LoadRequest) =>
  async (fixtures: Fixtures, count: number): Promise<LoadRequest[]> =>
    Array.from({ length: count }, (_, i) => make(fixtures.readers[i % fixtures.readers.length]));

const billerRequests =
  (make: (customer: Customer<Account>) => LoadRequest) =>
  async (fixtures: Fixtures, count: number): Promise<LoadRequest[]> =>
    Array.from({ length: count }, (_, i) => make(fixtures.billers[i % fixtures.billers.length]));

const apiGet = (path: string) => (customer: Customer<Account>) => ({
  method: 'GET' as const,
  path,
  headers: { authorization: `Bearer ${customer.bearer}`, accept: 'application/json' },
});

const pageGet = (path: string) => (customer: Customer<Account>) => ({
  method: 'GET' as const,
  path,
  headers: { cookie: `${SESSION_COOKIE}=${customer.cookie}`, accept: 'text/html' },
});

const ROUTES: ShareRoute[] = [
  { key: 'meters', label: 'GET /api/v1/meters', minShare: 0.7, requests: readerRequests(apiGet('/api/v1/meters')) },
  { key: 'readings-page', label: 'GET /readings (page)', minShare: 0.7, page: true, requests: readerRequests(pageGet('/readings')) },
  { key: 'home', label: 'GET / (home page)', minShare: 0.7, page: true, billing: true, requests: billerRequests(pageGet('/')) },
  { key: 'invoices', label: 'GET /api/v1/invoices', minShare: 0.7, billing: true, requests: billerRequests(apiGet('/api/v1/invoices')) },
  { key: 'debts', label: 'GET /api/v1/debts', minShare: 0.7, billing: true, requests: billerRequests(apiGet('/api/v1/debts')) },
  {
    key: 'submit',
    label: 'POST /api/v1/readings',
    minShare: 0.6,
    requests: async (fixtures, count) =>
      (await fixtures.fresh(count)).map((customer) => ({
        method: 'POST' as const,
        path: '/api/v1/readings',
        headers: { authorization: `Bearer ${customer.bearer}` },
        body: { meterId: customer.target.meterId, value: '365.5' },
      })),
  },
];

async function measure(server: MeasuredServer, route: ShareRoute, fixtures: Fixtures, count: number): Promise<HttpFigures> {
  return measureHttp(server, route.label, await route.requests(fixtures, WARM_UP), await route.requests(fixtures, count));
}

async function main(): Promise<void> {
  const { count, keep, option } = benchArgs(5_000);
  const rounds = option('rounds', 2);
  const only = process.argv
    .find((arg) => arg.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const routes = ROUTES.filter((route) => !only || only.includes(route.key));
  const development = process.argv.includes('--development');
  const candidates = process.argv
    .filter((arg) => arg.startsWith('--server='))
    .map((arg) => {
      const [name, rest] = arg.slice('--server='.length).split('=');
      const [script, keys] = rest.split('@');
      return { name, script, keys: keys?.split(',') };
    });
  // Every submission needs a customer who has not submitted yet, on each server measured.
  const submissions = routes.some((route) => route.key === 'submit')
    ? rounds * (2 + candidates.filter((c) => !c.keys || c.keys.includes('submit')).length) * (count + WARM_UP)
    : 0;

  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { redisPrefix, queuePrefix } = benchPrefixes();
  let app: Awaited<ReturnType<typeof createHttpApp>> | undefined;
  const children: ChildProcess[] = [];
  try {
    await withScratchDatabase('share', { poolSize: POOL_SIZE, keep }, async (dataSource, databaseUrl) => {
      const env = benchEnv({ databaseUrl, redisUrl, redisPrefix, queuePrefix }, { ROLE: 'api' });
      const started = performance.now();
      const { companyId, targets } = await loadReadingCustomers(dataSource, READERS + submissions);
      process.stdout.write(`loaded ${targets.length} customers, each with a meter and 36 readings, in ${elapsed(started)} s\n`);
      const billers = routes.some((route) => route.billing) ? await loadBillers(dataSource) : { companyId: 0, accounts: [] };

      // This process's app only issues sessions and tokens; it serves nothing.
      app = await createHttpApp(parseConfig(env), 'api');
      // Initialised, so its Redis connection is ready before sessions are issued (InteractiveRedis.onModuleInit).
      await app.init();
      const sessions = app.get(SessionService);
      const login = (targetsToLog: ReadingTarget[]) => logIn(sessions, companyId, targetsToLog);
      let nextFresh = READERS;
      const fixtures: Fixtures = {
        readers: await login(targets.slice(0, READERS)),
        billers: await logIn(sessions, billers.companyId, billers.accounts),
        fresh: (n) => login(targets.slice(nextFresh, (nextFresh += n))),
      };

      const results = new Map<string, Array<{ portal: HttpFigures; plain: HttpFigures; development?: HttpFigures }>>();
      try {
        const servers: Array<{ name: string; script: string; env?: NodeJS.ProcessEnv }> = [
          { name: 'portal', script: 'src/main.ts' },
          { name: 'plain', script: 'bench/plain-server.ts' },
          ...(development ? [{ name: 'development', script: 'src/main.ts', env: { NODE_ENV: 'development' } }] : []),
          ...candidates.map(({ name, script }) => ({ name, script })),
        ];
        const running: Record<string, MeasuredServer> = {};
        for (const server of servers) {
          const port = await freePort();
          const child = startProcess(server.script, { ...env, ...server.env, PORT: String(port) });
          children.push(child);
          running[server.name] = { baseUrl: `http://127.0.0.1:${port}`, pid: child.pid as number };
          await waitUntilReady(running[server.name].baseUrl, child);
        }

        for (let round = 1; round <= rounds; round++) {
          for (const route of routes) {
            const portal = await measure(running.portal, route, fixtures, count);
            const plain = await measure(running.plain, route, fixtures, count);
            const inDevelopment =
              running.development && route.page ? await measure(running.development, route, fixtures, count) : undefined;
            results.set(route.label, [...(results.get(route.label) ?? []), { portal, plain, development: inDevelopment }]);
            process.stdout.write(
              `round ${round} ${route.label}: portal ${describeFigures(portal)} | plain ${describeFigures(plain)} | share ${Math.round((100 * portal.perSecond) / plain.perSecond)} % (by CPU ${Math.round((100 * plain.cpuMs) / portal.cpuMs)} %)\n`,
            );
            for (const candidate of candidates.filter((c) => !c.keys || c.keys.includes(route.key))) {
              const figures = await measure(running[candidate.name], route, fixtures, count);
              process.stdout.write(
                `  ${candidate.name}: ${describeFigures(figures)} | share ${Math.round((100 * figures.perSecond) / plain.perSecond)} % (by CPU ${Math.round((100 * plain.cpuMs) / figures.cpuMs)} %)\n`,
              );
            }
            if (inDevelopment) {
              process.stdout.write(
                `  in development mode: ${describeFigures(inDevelopment)} = ${(portal.perSecond / inDevelopment.perSecond).toFixed(1)}× slower than production (target ≤ 3×)\n`,
              );
            }
          }
        }
      } finally {
        // Before the scratch database is dropped under their pools.
        await Promise.all(children.map(stopProcess));
      }

      process.stdout.write(`\n${count} measured requests per run, ${CONCURRENCY} at once, ${rounds} round(s):\n`);
      process.stdout.write('| route | portal | plain server | share (target) | share by CPU per request |\n|---|---|---|---|---|\n');
      const whole = (value: number) => Math.round(value).toLocaleString('en');
      const tenth = (value: number) => value.toFixed(1);
      for (const route of routes) {
        const runs = results.get(route.label) ?? [];
        const side = (pick: (run: { portal: HttpFigures; plain: HttpFigures }) => HttpFigures) =>
          `${range(
            runs.map((run) => pick(run).perSecond),
            whole,
          )} req/s, p99 ${range(
            runs.map((run) => pick(run).p99),
            tenth,
          )} ms, CPU ${range(
            runs.map((run) => pick(run).cpuMs),
            (value) => value.toFixed(2),
          )} ms/req`;
        const shares = runs.map((run) => (100 * run.portal.perSecond) / run.plain.perSecond);
        const cpuShares = runs.map((run) => (100 * run.plain.cpuMs) / run.portal.cpuMs);
        process.stdout.write(
          `| ${route.label} | ${side((run) => run.portal)} | ${side((run) => run.plain)} | ${range(shares, whole)} % (≥ ${route.minShare * 100} %) | ${range(cpuShares, whole)} % |\n`,
        );
      }
    });
  } finally {
    await app?.close();
    await Promise.all(children.map(stopProcess));
    await deleteBenchKeys(redisUrl, [redisPrefix, queuePrefix]);
  }
}

/** BILLERS customers of the synthetic loader, each with two years of monthly invoices and their debt items. */
async function loadBillers(dataSource: DataSource): Promise<{ companyId: number; accounts: Account[] }> {
  const started = performance.now();
  await loadSyntheticCustomers(dataSource, { customers: BILLERS });
  await dataSource.query('ANALYZE');
  const rows: Array<{ company_id: number; id: string; code: string; name: string }> = await dataSource.query(
    `SELECT c.company_id, c.id, c.code, c.name FROM customers c JOIN companies co ON co.id = c.company_id WHERE co.code = $1 ORDER BY c.id`,
    [LOAD_COMPANY.code],
  );
  process.stdout.write(`loaded ${rows.length} customers with two years of invoices in ${elapsed(started)} s\n`);
  return { companyId: rows[0].company_id, accounts: rows.map((row) => ({ customerId: Number(row.id), code: row.code, name: row.name })) };
}

/** A bearer token and a cookie session for each customer, as the login page and the token endpoint would issue them. */
async function logIn<T extends Account>(sessions: SessionService, companyId: number, targets: T[]): Promise<Array<Customer<T>>> {
  const customers: Array<Customer<T>> = [];
  await pool(
    targets.map((target, i) => ({ target, i })),
    CONCURRENCY,
    async ({ target, i }) => {
      const principal: Principal = { kind: 'customer', companyId, customerId: target.customerId, name: target.name, code: target.code };
      let cookie = '';
      const res = { locals: {}, setCookie: (_name: string, value: string) => (cookie = value) } as unknown as PageReply;
      await sessions.start({} as PageRequest, res, principal);
      customers[i] = { target, bearer: await sessions.issueApiToken(principal), cookie };
    },
  );
  return customers;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
