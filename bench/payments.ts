/**
 * Card payments confirmed by IPN, on a scratch database of its own (created, migrated,
 * dropped at the end): N customers each with an open debt item and a started payment
 * (started at the local SimplePay sandbox through the real adapter), paid at the
 * sandbox; then every payment's IPN is sent twice at once, 50 payments at a time, to the
 * API role in a process of its own (src/main.ts). Each IPN makes the portal query the
 * sandbox and record the answer. Prints confirmations per second and the p99 of a
 * payment's confirmation (both IPNs answered), and checks that every payment is
 * succeeded and allocated exactly once.
 *
 *   npx ts-node --transpile-only bench/payments.ts [N=10000] [--keep]
 *
 * TEST_ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names
 * a role that may create databases; REDIS_URL (default redis://127.0.0.1:6379) the
 * Redis server. Redis keys go under prefixes of their own and are deleted at the end.
 */
import { ChildProcess } from 'node:child_process';
import { DataSource } from 'typeorm';
import { parseConfig } from '../config/configuration';
import { ipnUrl, returnUrl } from '../src/payments/payment-urls';
import { SimplePaySandbox } from '../src/payments/sandbox/simplepay-sandbox';
import { SimplePayGateway } from '../src/payments/simplepay/simplepay.gateway';
import {
  benchArgs,
  benchEnv,
  benchPrefixes,
  CONCURRENCY,
  deleteBenchKeys,
  freePort,
  latencyReport,
  pool,
  POOL_SIZE,
  startProcess,
  stopProcess,
  waitUntilReady,
  withScratchDatabase,
} from './bench-kit';

const MERCHANT = 'BENCHHUF';
const SECRET_KEY = 'bench-only-secret-key';

interface Started {
  paymentId: number;
  orderRef: string;
  amount: number;
}

async function main(): Promise<void> {
  const { count, keep } = benchArgs(10_000);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { redisPrefix, queuePrefix } = benchPrefixes();
  const sandbox = new SimplePaySandbox({ [MERCHANT]: { secretKey: SECRET_KEY } });
  const children: ChildProcess[] = [];
  try {
    await sandbox.listen(0);
    sandbox.setBehaviour({ ipn: 'never' });
    await withScratchDatabase('payments', { poolSize: POOL_SIZE, keep }, async (dataSource, databaseUrl) => {
      const port = await freePort();
      const apiBaseUrl = `http://127.0.0.1:${port}`;
      // Development, not production: the bank's IPN and return come to this local http address, which production refuses.
      const env = benchEnv(
        { databaseUrl, redisUrl, redisPrefix, queuePrefix, production: false },
        {
          NODE_ENV: 'development',
          LOG_LEVEL: 'error',
          PUBLIC_URL: apiBaseUrl,
          SIMPLEPAY_ACCOUNTS: JSON.stringify({ 'bench-pay': { merchant: MERCHANT, secretKey: SECRET_KEY, api: sandbox.apiUrl } }),
        },
      );
      sandbox.setIpnUrl(MERCHANT, ipnUrl(apiBaseUrl));
      const api = startProcess('src/main.ts', { ...env, ROLE: 'api', PORT: String(port) });
      children.push(api);

      let started = performance.now();
      const payments = await loadStartedPayments(dataSource, count);
      const gateway = new SimplePayGateway(parseConfig(env));
      await pool(payments, CONCURRENCY, async (p) => {
        await gateway.start({
          companyCode: 'bench-pay',
          orderRef: p.orderRef,
          amount: p.amount,
          currency: 'HUF',
          customerEmail: 'bench@example.test',
          language: 'hu',
          returnUrl: returnUrl(apiBaseUrl),
          expiresAt: new Date(Date.now() + 3_600_000),
          items: [],
        });
        await sandbox.pay(p.orderRef, 'succeed');
      });
      process.stdout.write(`${count} payments started at the sandbox and paid there in ${elapsed(started)} s\n`);
      await waitUntilReady(apiBaseUrl, api);

      const latencies: number[] = [];
      let refused = 0;
      started = performance.now();
      await pool(payments, CONCURRENCY, async (p) => {
        const t0 = performance.now();
        const deliveries = await sandbox.sendIpn(p.orderRef, 2);
        latencies.push(performance.now() - t0);
        refused += deliveries.filter((d) => !d.acknowledged).length;
      });
      process.stdout.write(
        latencyReport(
          `confirmations by IPN (each sent twice at once, ${CONCURRENCY} payments at a time)`,
          count,
          (performance.now() - started) / 1000,
          latencies,
        ),
      );
      await check(dataSource, payments, refused);
    });
  } finally {
    await sandbox.close();
    await Promise.all(children.map(stopProcess));
    await deleteBenchKeys(redisUrl, [redisPrefix, queuePrefix]);
  }
}

/** A company, N customers with one open debt item each, and a payment of that item in "started". */
async function loadStartedPayments(dataSource: DataSource, count: number): Promise<Started[]> {
  const [company] = (await dataSource.query(`INSERT INTO companies (code, name) VALUES ('bench-pay', 'Bench') RETURNING id`)) as Array<{
    id: number;
  }>;
  await dataSource.query(
    `INSERT INTO customers (company_id, code, name, postcode, town, address)
     SELECT $1, 'B' || n, 'Bench ' || n, '6600', 'Szentes', 'Fő utca 1.' FROM generate_series(1, $2) AS n`,
    [company.id, count],
  );
  await dataSource.query(
    `INSERT INTO debt_items (company_id, customer_id, kind, reference, description, booked_on, amount, open_amount)
     SELECT $1, c.id, 'reminder_fee', 'F' || c.id, 'Felszólítási díj', '2014-03-31', 500 + c.id % 1000, 500 + c.id % 1000
       FROM customers c WHERE c.company_id = $1`,
    [company.id],
  );
  const rows = (await dataSource.query(
    `INSERT INTO payments (company_id, customer_id, amount, status, gateway, order_ref, debt_item_ids, expires_at)
     SELECT $1, d.customer_id, d.open_amount, 'started', 'simplepay', gen_random_uuid(), ARRAY[d.id], now() + interval '1 hour'
       FROM debt_items d WHERE d.company_id = $1
     RETURNING id, order_ref::text AS order_ref, amount`,
    [company.id],
  )) as Array<{ id: string; order_ref: string; amount: number }>;
  return rows.map((r) => ({ paymentId: Number(r.id), orderRef: r.order_ref, amount: r.amount }));
}

/** Every payment succeeded, allocated exactly once with its whole amount; every item settled; one receipt each. */
async function check(dataSource: DataSource, payments: Started[], refused: number): Promise<void> {
  const [row] = (await dataSource.query(
    `SELECT count(*) FILTER (WHERE p.status = 'succeeded')::int AS succeeded,
            count(*) FILTER (WHERE (SELECT count(*) FROM payment_allocations a WHERE a.payment_id = p.id) = 1
                               AND (SELECT sum(amount) FROM payment_allocations a WHERE a.payment_id = p.id) = p.amount)::int AS allocated_once,
            (SELECT count(*) FROM debt_items WHERE open_amount > 0)::int AS still_open,
            (SELECT count(*) FROM outbox WHERE job_name = 'payment-receipt')::int AS receipts
       FROM payments p`,
  )) as Array<{ succeeded: number; allocated_once: number; still_open: number; receipts: number }>;
  const ok =
    row.succeeded === payments.length && row.allocated_once === payments.length && row.still_open === 0 && row.receipts === payments.length;
  process.stdout.write(
    `check: ${row.succeeded} succeeded, ${row.allocated_once} allocated exactly once, ${row.still_open} items still open, ` +
      `${row.receipts} receipts, ${refused} IPNs not acknowledged: ${ok && refused === 0 ? 'OK' : 'FAILED'}\n`,
  );
  if (!ok || refused > 0) process.exitCode = 1;
}

function elapsed(since: number): string {
  return ((performance.now() - since) / 1000).toFixed(1);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
