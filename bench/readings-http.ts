/**
 * Meter reading submissions through the HTTP API, at 50 concurrent customers, on a
 * scratch database of its own (created, migrated, loaded, dropped at the end), and
 * the same submission path without HTTP (ReadingService.submit, as bench/readings.ts)
 * on as many other customers, so the framework's share is visible.
 *
 *   npx ts-node --transpile-only bench/readings-http.ts [N=10000] [--keep]
 *
 * N customers submit over HTTP and N others through the service. Each has a meter
 * with three years of monthly readings and the company an open window. The API
 * runs in this process (role `api`, no workers), on a free port, with bearer tokens
 * issued through SessionService; Redis keys go under a prefix of their own and are
 * deleted at the end. TEST_ADMIN_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) names a role that may create
 * databases; REDIS_URL (default redis://127.0.0.1:6379) the Redis server.
 */
import Redis from 'ioredis';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { parseConfig } from '../config/configuration';
import { dataSourceOptions } from '../config/data-source-options';
import { WorkflowEngine } from '../libs/workflow/workflow-engine';
import { createHttpApp } from '../src/bootstrap';
import { SessionService } from '../src/identity/session.service';
import { ReadingService } from '../src/metering/reading.service';

const CONCURRENCY = 50;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

function report(label: string, count: number, seconds: number, latencies: number[]): string {
  latencies.sort((a, b) => a - b);
  return (
    `${label}: ${count} in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)}/s; ` +
    `p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms\n`
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const count = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 10_000);
  const keep = args.includes('--keep');
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const stamp = Date.now().toString(36);
  const databaseName = `bench_readings_http_${stamp}`;
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${databaseName}`;
  const redisPrefix = `bench-http-${stamp}:`;

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${databaseName}"`);
  let dataSource: DataSource | undefined;
  let app: Awaited<ReturnType<typeof createHttpApp>> | undefined;
  try {
    dataSource = await new DataSource({
      ...dataSourceOptions({ DATABASE_URL: databaseUrl.toString(), DATABASE_POOL_SIZE: CONCURRENCY + 4 }),
      entities: [],
    }).initialize();
    await dataSource.runMigrations();
    const loadStarted = performance.now();
    const [company] = (await dataSource.query(`INSERT INTO companies (code, name) VALUES ('bench', 'Bench Kft.') RETURNING id`)) as Array<{
      id: number;
    }>;
    const companyId = company.id;
    await dataSource.query(
      `INSERT INTO customers (company_id, code, name, postcode, town, address)
       SELECT $1, 'B' || lpad(i::text, 7, '0'), 'Bench ' || i, '1111', 'Budapest', 'Fő utca ' || i FROM generate_series(1, $2) AS i`,
      [companyId, count * 2],
    );
    await dataSource.query(
      `INSERT INTO service_points (company_id, customer_id, postcode, town, address) SELECT company_id, id, '1111', 'Budapest', address FROM customers WHERE company_id = $1`,
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
    await dataSource.query(
      `INSERT INTO reading_windows (company_id, opens_on, closes_on) VALUES ($1, current_date - 3, current_date + 3)`,
      [companyId],
    );
    await dataSource.query('ANALYZE');
    const targets: Array<{ customer_id: string; code: string; name: string; meter_id: string }> = await dataSource.query(
      `SELECT sp.customer_id, c.code, c.name, m.id AS meter_id FROM meters m
         JOIN service_points sp ON sp.id = m.service_point_id JOIN customers c ON c.id = sp.customer_id
        WHERE m.company_id = $1 ORDER BY m.id`,
      [companyId],
    );
    process.stdout.write(
      `loaded ${targets.length} customers with meters and 36 readings each in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s\n`,
    );
    const overHttp = targets.slice(0, count);
    const direct = targets.slice(count);

    const config = parseConfig({
      ...process.env,
      NODE_ENV: 'production',
      ROLE: 'api',
      DATABASE_URL: databaseUrl.toString(),
      DATABASE_POOL_SIZE: String(CONCURRENCY + 4),
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: redisPrefix,
      QUEUE_PREFIX: `{bench-http-${stamp}}`,
      LOG_LEVEL: 'warn',
    });
    app = await createHttpApp(config, 'api');
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const url = `http://127.0.0.1:${port}`;
    const sessions = app.get(SessionService);
    const tokens: string[] = [];
    await pool(
      overHttp.map((t, i) => ({ t, i })),
      CONCURRENCY,
      async ({ t, i }) => {
        tokens[i] = await sessions.issueApiToken({
          kind: 'customer',
          companyId,
          customerId: Number(t.customer_id),
          name: t.name,
          code: t.code,
        });
      },
    );

    // Warm-up (not counted): JIT, connection pools, keep-alive sockets.
    await fetch(`${url}/api/v1/meters`, { headers: { authorization: `Bearer ${tokens[0]}` } }).then((r) => r.arrayBuffer());

    const httpLatencies: number[] = [];
    let failures = 0;
    const indexes = overHttp.map((_, i) => i);
    let started = performance.now();
    await pool(indexes, CONCURRENCY, async (i) => {
      const t0 = performance.now();
      const response = await fetch(`${url}/api/v1/readings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
        body: JSON.stringify({ meterId: Number(overHttp[i].meter_id), value: '365.5' }),
      });
      await response.arrayBuffer();
      httpLatencies.push(performance.now() - t0);
      if (response.status !== 201) failures += 1;
    });
    let seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      report(`submissions over HTTP (POST /api/v1/readings, ${CONCURRENCY} concurrent customers)`, overHttp.length, seconds, httpLatencies),
    );
    if (failures > 0) process.stdout.write(`  ${failures} submissions were not 201\n`);

    // The app's pool is closed first: the two pools together could exceed max_connections.
    await app.close();
    app = undefined;
    const engine = new WorkflowEngine(dataSource);
    const readings = new ReadingService(dataSource, engine);
    readings.onModuleInit();
    const directLatencies: number[] = [];
    started = performance.now();
    await pool(direct, CONCURRENCY, async (target) => {
      const t0 = performance.now();
      const result = await readings.submit(Number(target.customer_id), companyId, { meterId: Number(target.meter_id), value: '365.5' });
      directLatencies.push(performance.now() - t0);
      if (!result.ok) throw new Error(result.error.message);
    });
    seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      report(
        `submissions without HTTP (ReadingService.submit, ${CONCURRENCY} concurrent customers)`,
        direct.length,
        seconds,
        directLatencies,
      ),
    );
  } finally {
    await app?.close();
    await dataSource?.destroy();
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      for (const pattern of [`${redisPrefix}*`, `{bench-http-${stamp}}*`]) {
        let cursor = '0';
        do {
          const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = nextCursor;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      }
    } finally {
      redis.disconnect();
    }
    if (keep) process.stdout.write(`kept database ${databaseName}\n`);
    else await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
