/**
 * Invoices, debts and the home summary at scale, on a scratch database of its own
 * (created, migrated, loaded, dropped at the end) with M customers (default 100,000)
 * of the synthetic loader, each with two years of monthly invoices (2.4 million at the
 * default), their lines, VAT summaries and debt items:
 *
 * 1. GET /api/v1/invoices, /api/v1/debts and /api/v1/home, N requests each (default
 *    20,000, spread over up to 2,000 customers), 50 at once, to the API role in a
 *    process of its own (src/main.ts), warm (1,000 unmeasured requests first).
 * 2. The same requests, with the same client (bench/http-load.ts), to a plain node:http
 *    + pg + ioredis server (bench/billing-plain-server.ts) running the same Redis call,
 *    the same prepared statements and the same pure functions, in a process of its own:
 *    the ratio is the framework's share.
 * 3. Invoice PDFs rendered one after another in this process (one core): PDFs/second.
 * 4. The clerk's customer search at this scale: EXPLAIN ANALYZE of a few prefixes, with
 *    the indexes each branch uses.
 *
 *   npx ts-node --transpile-only bench/billing.ts [N=20000] [--customers=100000] [--keep]
 *
 * TEST_ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names
 * a role that may create databases; REDIS_URL (default redis://127.0.0.1:6379) the
 * Redis server. Redis keys go under a prefix of their own and are deleted at the end.
 */
import { ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { parseConfig } from '../config/configuration';
import { deleteKeysMatching } from '../test/support/redis-keys';
import { BillingQueries, InvoiceDetail } from '../src/billing/billing-queries.service';
import { CUSTOMER_SEARCH_SQL, prefixPattern } from '../src/billing/customer-lookup.service';
import { renderInvoicePdf } from '../src/billing/invoice-pdf';
import { createHttpApp } from '../src/bootstrap';
import { LOAD_COMPANY, loadSyntheticCustomers } from '../src/demo/synthetic-loader';
import { SessionService } from '../src/identity/session.service';
import {
  benchArgs,
  CONCURRENCY,
  freePort,
  issueCustomerTokens,
  latencyReport,
  POOL_SIZE,
  productionSettings,
  runHttpLoad,
  startProcess,
  stopProcess,
  waitUntilReady,
  WARM_UP,
  withScratchDatabase,
} from './bench-kit';
import type { LoadRequest } from './http-load';

/** Customers whose tokens the requests cycle through. */
const MAX_TOKENS = 2_000;
const ROUTES = ['/api/v1/invoices', '/api/v1/debts', '/api/v1/home'];
const PDFS = 200;

async function main(): Promise<void> {
  const { count, keep, option } = benchArgs(20_000);
  const customers = option('customers', 100_000);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisPrefix = `bench-${Date.now().toString(36)}:`;
  let app: Awaited<ReturnType<typeof createHttpApp>> | undefined;
  const children: ChildProcess[] = [];
  try {
    await withScratchDatabase('billing', { poolSize: POOL_SIZE, keep }, async (dataSource, databaseUrl) => {
      const env = {
        ...process.env,
        ...productionSettings(),
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_SIZE: String(POOL_SIZE),
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: redisPrefix,
        QUEUE_PREFIX: `{${redisPrefix}}`,
        LOG_LEVEL: 'warn',
      };
      const started = performance.now();
      const loaded = await loadSyntheticCustomers(dataSource, {
        customers,
        onProgress: (p) => {
          if (p.done % 20_000 === 0) process.stdout.write(`  … ${p.done} of ${p.total} customers\n`);
        },
      });
      await dataSource.query('ANALYZE');
      const [sizes] = (await dataSource.query(
        `SELECT (SELECT count(*) FROM invoices)::int AS invoices, (SELECT count(*) FROM invoice_lines)::int AS lines,
                (SELECT count(*) FROM debt_items)::int AS debt_items`,
      )) as Array<{ invoices: number; lines: number; debt_items: number }>;
      process.stdout.write(
        `loaded ${loaded.created} customers: ${sizes.invoices} invoices, ${sizes.lines} invoice lines, ${sizes.debt_items} debt items ` +
          `(${loaded.rows} rows) in ${elapsed(started)} s\n`,
      );

      const [company] = (await dataSource.query(`SELECT id FROM companies WHERE code = $1`, [LOAD_COMPANY.code])) as Array<{ id: number }>;
      const step = Math.max(1, Math.floor(customers / MAX_TOKENS));
      const targets = (
        (await dataSource.query(`SELECT id, code, name FROM customers WHERE company_id = $1 AND id % $2 = 0 ORDER BY id LIMIT $3`, [
          company.id,
          step,
          MAX_TOKENS,
        ])) as Array<{ id: string; code: string; name: string }>
      ).map((row) => ({ customerId: Number(row.id), code: row.code, name: row.name }));

      // This process's app only issues the bearer tokens (SessionService); it serves nothing.
      app = await createHttpApp(parseConfig({ ...env, ROLE: 'api' }), 'api');
      const tokens = await issueCustomerTokens(app.get(SessionService), company.id, targets, CONCURRENCY);

      const [apiPort, plainPort] = [await freePort(), await freePort()];
      const api = startProcess('src/main.ts', { ...env, ROLE: 'api', PORT: String(apiPort) });
      const plain = startProcess('bench/billing-plain-server.ts', { ...env, PORT: String(plainPort) });
      children.push(api, plain);
      const apiUrl = `http://127.0.0.1:${apiPort}`;
      const plainUrl = `http://127.0.0.1:${plainPort}`;
      await waitUntilReady(apiUrl, api);
      await waitUntilReady(plainUrl, plain);

      const requests = (route: string, n: number, offset: number): LoadRequest[] =>
        Array.from({ length: n }, (_, i) => ({
          method: 'GET' as const,
          path: route,
          headers: { authorization: `Bearer ${tokens[(offset + i) % tokens.length]}` },
        }));
      for (const route of ROUTES) {
        const results: Array<{ rps: number; p99: number }> = [];
        for (const [label, baseUrl] of [
          ['API (NestJS)', apiUrl],
          ['plain node:http + pg', plainUrl],
        ] as const) {
          const result = await runHttpLoad({
            baseUrl,
            concurrency: CONCURRENCY,
            warmUp: requests(route, WARM_UP, 7),
            requests: requests(route, count, 0),
          });
          const sorted = [...result.latencies].sort((a, b) => a - b);
          results.push({ rps: count / result.seconds, p99: sorted[Math.min(sorted.length - 1, Math.floor(0.99 * sorted.length))] });
          process.stdout.write(
            latencyReport(`GET ${route}, ${label}, ${CONCURRENCY} concurrent customers`, count, result.seconds, result.latencies),
          );
          if ((result.statuses[200] ?? 0) !== count) process.stdout.write(`  statuses: ${JSON.stringify(result.statuses)}\n`);
        }
        process.stdout.write(
          `  → the API keeps ${Math.round((100 * results[0].rps) / results[1].rps)}% of the plain server's requests/s\n`,
        );
      }

      await renderPdfs(dataSource, company.id);
      await explainSearches(dataSource, company.id);
    });
  } finally {
    await app?.close();
    await Promise.all(children.map(stopProcess));
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      await deleteKeysMatching(redis, `${redisPrefix}*`);
      await deleteKeysMatching(redis, `{${redisPrefix}}*`);
    } finally {
      redis.disconnect();
    }
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

/** The customer search's plan and time at this scale for a few prefixes. */
async function explainSearches(dataSource: DataSource, companyId: number): Promise<void> {
  for (const term of ['LD00123', 'teszt ügyfél 4567', 'ld004321@', 'próba utca 17', 'LD000999-20']) {
    const rows = (await dataSource.query(
      `EXPLAIN (ANALYZE, COSTS OFF) ${CUSTOMER_SEARCH_SQL.replace(/\$1/g, String(companyId))
        .replace(/\$2/g, quote(prefixPattern(term.toLowerCase())))
        .replace(/\$3/g, quote(prefixPattern(term.toUpperCase())))
        .replace(/\$4/g, '20')}`,
    )) as Array<{ 'QUERY PLAN': string }>;
    const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
    const indexes = [...new Set([...plan.matchAll(/using (\w+)/g)].map((match) => match[1]))];
    const time = /Execution Time: ([\d.]+) ms/.exec(plan)?.[1];
    process.stdout.write(`customer search "${term}": ${time} ms; indexes: ${indexes.join(', ')}\n`);
  }
}

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function elapsed(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(2);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
