/**
 * Invoices, debts and the home summary at scale, on a scratch database of its own
 * (created, migrated, loaded, dropped at the end) with M customers (default 100,000)
 * of the synthetic loader, each with two years of monthly invoices (2.4 million at the
 * default), their lines, VAT summaries and debt items, plus an open reading window and
 * provider messages for the home summary:
 *
 * 1. The load's time (set-based: one INSERT … SELECT generate_series statement per
 *    batch of customers, inside PostgreSQL) and ANALYZE's.
 * 2. EXPLAIN ANALYZE of every statement these routes run, with the generic plan a warm
 *    prepared statement uses: its time, the indexes it reads, any sequential scan.
 * 3. GET /api/v1/invoices, /api/v1/invoices/{id}, /api/v1/debts and /api/v1/home, N
 *    requests each (default 20,000, spread over up to 2,000 customers), 50 at once, to the
 *    API role in a process of its own (src/main.ts), warm (1,000 unmeasured requests
 *    first), and the same requests, with the same client, to bench/plain-server.ts: plain
 *    node:http + pg + ioredis running the project's own SessionService, BillingController,
 *    BillingQueries and CustomerHome by hand, so the same Redis call, SQL and mapping.
 *    Printed: req/s, p50, p99, each server's CPU time per request, and the API's share of
 *    the plain server by req/s and by CPU (plain ÷ API), as bench/http-share.ts does.
 * 4. Invoice PDFs rendered one after another in this process (one core): PDFs/second.
 * 5. The clerk's customer search at this scale: EXPLAIN ANALYZE of a few prefixes, with
 *    the indexes each branch uses.
 *
 *   npx ts-node --transpile-only bench/billing.ts [N=20000] [--customers=100000] [--rounds=1] [--keep]
 *
 * TEST_ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names
 * a role that may create databases; BENCH_DATABASE reuses a database an earlier run kept;
 * REDIS_URL (default redis://127.0.0.1:6379) the Redis server. Redis keys go under a
 * prefix of their own and are deleted at the end.
 */
import { ChildProcess } from 'node:child_process';
import { DataSource } from 'typeorm';
import { parseConfig } from '../config/configuration';
import { PreparedStatement } from '../libs/typeorm/prepared-query';
import { OPEN_REQUESTS } from '../src/approval/request-queries.service';
import { BillingQueries, InvoiceDetail, RECENTLY_PAID_ITEMS } from '../src/billing/billing-queries.service';
import {
  BASE_RATES,
  DEBTS,
  HOME_BILLING,
  INVOICE_DETAIL,
  INVOICE_LINES,
  INVOICE_PAGE,
  INVOICE_PAYMENTS,
  INVOICE_VAT_SUMMARY,
} from '../src/billing/billing-sql';
import { CUSTOMER_SEARCH_SQL, prefixPattern, SEARCH_LIMIT } from '../src/billing/customer-lookup.service';
import { renderInvoicePdf } from '../src/billing/invoice-pdf';
import { createHttpApp } from '../src/bootstrap';
import { LOAD_COMPANY, loadSyntheticCustomers } from '../src/demo/synthetic-loader';
import { SessionService } from '../src/identity/session.service';
import { OPEN_READING_WINDOWS } from '../src/metering/meter-queries.service';
import { UNREAD_MESSAGES } from '../src/notifications/message-counts.service';
import { todayInHungary } from '../src/web/format';
import {
  benchArgs,
  benchEnv,
  CONCURRENCY,
  deleteBenchKeys,
  describeFigures,
  elapsed,
  freePort,
  HttpFigures,
  issueCustomerTokens,
  MeasuredServer,
  measureHttp,
  POOL_SIZE,
  range,
  startProcess,
  stopProcess,
  waitUntilReady,
  WARM_UP,
  withScratchDatabase,
} from './bench-kit';
import type { LoadRequest } from './http-load';

/** Customers whose tokens the requests cycle through. */
const MAX_TOKENS = 2_000;
const PDFS = 200;
/** The issue's targets: the API's share of the plain server's req/s, and its p99. */
const MIN_SHARE = 0.7;
const MAX_P99_MS = 50;

interface Target {
  customerId: number;
  code: string;
  name: string;
  newestInvoiceId: number;
}

interface Route {
  label: string;
  path: (target: Target) => string;
}

const ROUTES: Route[] = [
  { label: 'GET /api/v1/invoices', path: () => '/api/v1/invoices' },
  { label: 'GET /api/v1/invoices/{id}', path: (target) => `/api/v1/invoices/${target.newestInvoiceId}` },
  { label: 'GET /api/v1/debts', path: () => '/api/v1/debts' },
  { label: 'GET /api/v1/home', path: () => '/api/v1/home' },
];

async function main(): Promise<void> {
  const { count, keep, option } = benchArgs(20_000);
  const customers = option('customers', 100_000);
  const rounds = option('rounds', 1);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `bench-${Date.now().toString(36)}:`;
  const queuePrefix = `{${redisPrefix}}`;
  let app: Awaited<ReturnType<typeof createHttpApp>> | undefined;
  const children: ChildProcess[] = [];
  try {
    await withScratchDatabase('billing', { poolSize: POOL_SIZE, keep }, async (dataSource, databaseUrl) => {
      const env = benchEnv({ databaseUrl, redisUrl, redisPrefix, queuePrefix }, { ROLE: 'api' });
      const companyId = await load(dataSource, customers);
      const targets = await pickTargets(dataSource, companyId, customers);
      await explainStatements(dataSource, companyId, targets[0]);

      // This process's app only issues the bearer tokens (SessionService); it serves nothing.
      app = await createHttpApp(parseConfig(env), 'api');
      // Initialised, so its Redis connection is ready before sessions are issued (InteractiveRedis.onModuleInit).
      await app.init();
      const tokens = await issueCustomerTokens(app.get(SessionService), companyId, targets, CONCURRENCY);

      const servers: Record<'api' | 'plain', MeasuredServer> = { api: { baseUrl: '', pid: 0 }, plain: { baseUrl: '', pid: 0 } };
      for (const [name, script] of [
        ['api', 'src/main.ts'],
        ['plain', 'bench/plain-server.ts'],
      ] as const) {
        const port = await freePort();
        const child = startProcess(script, { ...env, PORT: String(port) });
        children.push(child);
        servers[name] = { baseUrl: `http://127.0.0.1:${port}`, pid: child.pid as number };
        await waitUntilReady(servers[name].baseUrl, child);
      }

      const requests = (route: Route, n: number, offset: number): LoadRequest[] =>
        Array.from({ length: n }, (_, i) => {
          const k = (offset + i) % targets.length;
          return { method: 'GET' as const, path: route.path(targets[k]), headers: { authorization: `Bearer ${tokens[k]}` } };
        });
      const results = new Map<Route, Array<{ api: HttpFigures; plain: HttpFigures }>>();
      for (let round = 1; round <= rounds; round++) {
        for (const route of ROUTES) {
          const [api, plain] = [
            await measureHttp(servers.api, route.label, requests(route, WARM_UP, 7), requests(route, count, 0)),
            await measureHttp(servers.plain, route.label, requests(route, WARM_UP, 7), requests(route, count, 0)),
          ];
          results.set(route, [...(results.get(route) ?? []), { api, plain }]);
          process.stdout.write(
            `round ${round} ${route.label}: API ${describeFigures(api)} | plain ${describeFigures(plain)} | ` +
              `share ${Math.round((100 * api.perSecond) / plain.perSecond)} % (by CPU ${Math.round((100 * plain.cpuMs) / api.cpuMs)} %)\n`,
          );
        }
      }
      await Promise.all(children.map(stopProcess));
      printTable(results, count, rounds);

      await renderPdfs(dataSource, companyId);
      await explainSearches(dataSource, companyId);
    });
  } finally {
    await app?.close();
    await Promise.all(children.map(stopProcess));
    await deleteBenchKeys(redisUrl, [redisPrefix, queuePrefix]);
  }
}

/** Loads the synthetic customers (timed), an open reading window and messages for the home; returns the load company's id. */
async function load(dataSource: DataSource, customers: number): Promise<number> {
  const started = performance.now();
  const loaded = await loadSyntheticCustomers(dataSource, {
    customers,
    onProgress: (p) => {
      if (p.done % 20_000 === 0) process.stdout.write(`  … ${p.done} of ${p.total} customers\n`);
    },
  });
  const loadSeconds = elapsed(started);
  const [company] = (await dataSource.query(`SELECT id FROM companies WHERE code = $1`, [LOAD_COMPANY.code])) as Array<{ id: number }>;
  // What the home summary counts besides billing: an open company-wide reading window, two
  // company-wide messages and one for every tenth customer (idempotent, for a reused database).
  await dataSource.query(
    `INSERT INTO reading_windows (company_id, opens_on, closes_on)
     SELECT $1, current_date - 3, current_date + 3 WHERE NOT EXISTS (SELECT 1 FROM reading_windows WHERE company_id = $1)`,
    [company.id],
  );
  // Messages reach customers through recipient rows (as MessageService.send writes them).
  await dataSource.query(
    `WITH sent AS (
       INSERT INTO messages (company_id, customer_id, segment, subject, body)
       SELECT $1, c.id, NULL::jsonb, 'Értesítés', 'Tisztelt Ügyfelünk!' FROM customers c
        WHERE NOT EXISTS (SELECT 1 FROM messages WHERE company_id = $1) AND c.company_id = $1 AND c.id % 10 = 0
       UNION ALL
       SELECT $1, NULL, '{}'::jsonb, 'Karbantartás ' || k, 'Tervezett karbantartás.' FROM generate_series(1, 2) AS k
        WHERE NOT EXISTS (SELECT 1 FROM messages WHERE company_id = $1)
       RETURNING id, customer_id
     )
     INSERT INTO message_recipients (company_id, customer_id, message_id)
     SELECT $1, sent.customer_id, sent.id FROM sent WHERE sent.customer_id IS NOT NULL
     UNION ALL
     SELECT $1, c.id, sent.id FROM sent JOIN customers c ON c.company_id = $1 WHERE sent.customer_id IS NULL`,
    [company.id],
  );
  const analyzed = performance.now();
  await dataSource.query('ANALYZE');
  const [sizes] = (await dataSource.query(
    `SELECT (SELECT count(*) FROM invoices)::int AS invoices, (SELECT count(*) FROM invoice_lines)::int AS lines,
            (SELECT count(*) FROM debt_items)::int AS debt_items`,
  )) as Array<{ invoices: number; lines: number; debt_items: number }>;
  process.stdout.write(
    `loaded ${loaded.created} customers (${customers} wanted): ${sizes.invoices} invoices, ${sizes.lines} invoice lines, ` +
      `${sizes.debt_items} debt items in the database; ${loaded.rows} rows written in ${loadSeconds} s ` +
      `(${Math.round(loaded.rows / Math.max(loaded.seconds, 0.001))} rows/s), ANALYZE ${elapsed(analyzed)} s\n`,
  );
  return company.id;
}

/** Up to MAX_TOKENS customers spread over the whole range, each with their newest invoice. */
async function pickTargets(dataSource: DataSource, companyId: number, customers: number): Promise<Target[]> {
  const step = Math.max(1, Math.floor(customers / MAX_TOKENS));
  const rows = (await dataSource.query(
    `SELECT c.id, c.code, c.name, newest.id AS invoice_id FROM customers c
       CROSS JOIN LATERAL (SELECT id FROM invoices i WHERE i.company_id = c.company_id AND i.customer_id = c.id
                            ORDER BY due_on DESC, id DESC LIMIT 1) AS newest
      WHERE c.company_id = $1 AND c.id % $2 = 0 ORDER BY c.id LIMIT $3`,
    [companyId, step, MAX_TOKENS],
  )) as Array<{ id: string; code: string; name: string; invoice_id: string }>;
  return rows.map((row) => ({ customerId: Number(row.id), code: row.code, name: row.name, newestInvoiceId: Number(row.invoice_id) }));
}

/**
 * EXPLAIN ANALYZE of each statement the measured routes run, as a warm prepared
 * statement runs it (the generic plan), for one customer: time, indexes, sequential scans.
 */
async function explainStatements(dataSource: DataSource, companyId: number, target: Target): Promise<void> {
  const today = todayInHungary();
  const firstPage = await new BillingQueries(dataSource).invoices(companyId, target.customerId, { limit: 12 });
  const [cursorDue, cursorId] = (firstPage.nextCursor ?? `${today}_1`).split('_');
  const { customerId } = target;
  const invoiceId = target.newestInvoiceId;
  const statements: Array<[string, PreparedStatement, unknown[]]> = [
    ['invoice page, first', INVOICE_PAGE, [companyId, customerId, null, null, null, null, 21]],
    ['invoice page, after a cursor', INVOICE_PAGE, [companyId, customerId, cursorDue, Number(cursorId), null, null, 21]],
    ['invoice page, one year', INVOICE_PAGE, [companyId, customerId, null, null, Number(today.slice(0, 4)) - 1, null, 21]],
    ['invoice detail', INVOICE_DETAIL, [companyId, customerId, invoiceId]],
    ['invoice lines', INVOICE_LINES, [companyId, invoiceId]],
    ['invoice VAT summary', INVOICE_VAT_SUMMARY, [companyId, invoiceId]],
    ['invoice payments', INVOICE_PAYMENTS, [companyId, invoiceId]],
    ['debts', DEBTS, [companyId, customerId, RECENTLY_PAID_ITEMS]],
    ['base rates', BASE_RATES, []],
    ['home: billing', HOME_BILLING, [companyId, customerId]],
    ['home: open reading windows', OPEN_READING_WINDOWS, [companyId, customerId, today]],
    ['home: unread messages', UNREAD_MESSAGES, [companyId, customerId]],
    ['home: open requests', OPEN_REQUESTS, [companyId, customerId, 10]],
  ];
  await readTablePages(dataSource);
  const runner = dataSource.createQueryRunner();
  try {
    await runner.query(`SET plan_cache_mode = force_generic_plan`);
    for (const [label, statement, values] of statements) {
      const types = values.length > 0 ? `(${values.map(() => 'unknown').join(', ')})` : '';
      await runner.query(`PREPARE bench_explain${types} AS ${statement.text}`);
      try {
        const literals = values.map((value) =>
          value === null ? 'NULL' : typeof value === 'number' ? String(value) : quote(String(value)),
        );
        const execute = `EXECUTE bench_explain${literals.length > 0 ? `(${literals.join(', ')})` : ''}`;
        // Warm, as the measured routes run: the pages the statement reads are in memory.
        await runner.query(execute);
        const rows = (await runner.query(`EXPLAIN (ANALYZE, COSTS OFF) ${execute}`)) as Array<{ 'QUERY PLAN': string }>;
        process.stdout.write(`${label}: ${planSummary(rows.map((row) => row['QUERY PLAN']).join('\n'))}\n`);
      } finally {
        await runner.query(`DEALLOCATE bench_explain`);
      }
    }
  } finally {
    await runner.release();
  }
}

/** Each table's size in 8 kB pages (after ANALYZE), to tell a scan of a one-page table from a real one. */
let tablePages = new Map<string, number>();

async function readTablePages(dataSource: DataSource): Promise<void> {
  const rows = (await dataSource.query(
    `SELECT relname, relpages FROM pg_class WHERE relkind = 'r' AND relnamespace = current_schema()::regnamespace`,
  )) as Array<{ relname: string; relpages: number }>;
  tablePages = new Map(rows.map((row) => [row.relname, row.relpages]));
}

/** "0.05 ms; indexes a, b; seq scans: companies (1 × 8 kB)" from an EXPLAIN ANALYZE. */
function planSummary(plan: string): string {
  const indexes = [...new Set([...plan.matchAll(/ (?:using|Bitmap Index Scan on) (\w+)/g)].map((match) => match[1]))];
  const seqScans = [
    ...new Set([...plan.matchAll(/Seq Scan on (\w+)/g)].map((match) => `${match[1]} (${tablePages.get(match[1]) ?? '?'} × 8 kB)`)),
  ];
  const time = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1];
  const subPlans = (plan.match(/SubPlan \d+/g) ?? []).length;
  return (
    `${time} ms; indexes ${indexes.join(', ') || 'none'}; seq scans: ${seqScans.join(', ') || 'none'}` +
    (subPlans > 0 ? `; ${subPlans} subplan(s) run per row` : '')
  );
}

function printTable(results: Map<Route, Array<{ api: HttpFigures; plain: HttpFigures }>>, count: number, rounds: number): void {
  const whole = (value: number) => Math.round(value).toLocaleString('en');
  const tenth = (value: number) => value.toFixed(1);
  const side = (runs: HttpFigures[]) =>
    `${range(
      runs.map((run) => run.perSecond),
      whole,
    )} req/s, p50 ${range(
      runs.map((run) => run.p50),
      tenth,
    )} ms, p99 ${range(
      runs.map((run) => run.p99),
      tenth,
    )} ms, CPU ${range(
      runs.map((run) => run.cpuMs),
      (value) => value.toFixed(2),
    )} ms/req`;
  process.stdout.write(`\n${count} measured requests per run, ${CONCURRENCY} at once, ${rounds} round(s):\n`);
  process.stdout.write(
    `| route | API | plain server | share by req/s (≥ ${MIN_SHARE * 100} %) | share by CPU | API p99 < ${MAX_P99_MS} ms |\n|---|---|---|---|---|---|\n`,
  );
  for (const [route, runs] of results) {
    const shares = runs.map((run) => (100 * run.api.perSecond) / run.plain.perSecond);
    const cpuShares = runs.map((run) => (100 * run.plain.cpuMs) / run.api.cpuMs);
    const p99Met = runs.every((run) => run.api.p99 < MAX_P99_MS) ? 'yes' : 'no';
    process.stdout.write(
      `| ${route.label} | ${side(runs.map((run) => run.api))} | ${side(runs.map((run) => run.plain))} | ` +
        `${range(shares, whole)} % | ${range(cpuShares, whole)} % | ${p99Met} |\n`,
    );
  }
}

/** PDFs rendered back to back on this process's one thread, from invoices loaded beforehand. */
async function renderPdfs(dataSource: DataSource, companyId: number): Promise<void> {
  const billing = new BillingQueries(dataSource);
  const rows = (await dataSource.query(`SELECT id, customer_id FROM invoices WHERE company_id = $1 ORDER BY id DESC LIMIT $2`, [
    companyId,
    PDFS,
  ])) as Array<{ id: string; customer_id: string }>;
  const invoices: InvoiceDetail[] = [];
  for (const row of rows) {
    const invoice = await billing.invoice(companyId, Number(row.customer_id), Number(row.id));
    if (invoice) invoices.push(invoice);
  }
  await renderInvoicePdf(invoices[0]);
  let bytes = 0;
  const started = performance.now();
  for (const invoice of invoices) bytes += (await renderInvoicePdf(invoice)).length;
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `invoice PDFs on one core: ${invoices.length} in ${seconds.toFixed(2)} s = ${Math.round(invoices.length / seconds)}/s ` +
      `(${Math.round(bytes / invoices.length / 1024)} KiB each)\n`,
  );
}

/** The customer search's plan and time at this scale for a few prefixes, warm. */
async function explainSearches(dataSource: DataSource, companyId: number): Promise<void> {
  // Narrow prefixes and ones thousands share (every name starts "Teszt Ügyfél", every address "Próba utca").
  for (const term of ['LD00123', 'LD0', 'teszt', 'teszt ügyfél 4567', 'ld004321@', 'próba utca 1', 'LD000999-20']) {
    const search = CUSTOMER_SEARCH_SQL.replace(/\$1/g, String(companyId))
      .replace(/\$2/g, quote(prefixPattern(term.toLowerCase())))
      .replace(/\$3/g, quote(prefixPattern(term.toUpperCase())))
      .replace(/\$4/g, String(SEARCH_LIMIT));
    await dataSource.query(search);
    const rows = (await dataSource.query(`EXPLAIN (ANALYZE, COSTS OFF) ${search}`)) as Array<{ 'QUERY PLAN': string }>;
    process.stdout.write(`customer search "${term}": ${planSummary(rows.map((row) => row['QUERY PLAN']).join('\n'))}\n`);
  }
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
