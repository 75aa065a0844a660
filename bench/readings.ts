/**
 * Meter readings without HTTP, on a scratch database of its own: submissions per
 * second through ReadingService at 50 concurrent customers, then a clerk's bulk
 * approval of 10,000 readings and their application (the `requests/apply`
 * handler's work, RequestApplier, run here directly at the worker's concurrency
 * instead of through Redis). Prints figures; HTTP figures come with the API.
 *
 *   npx ts-node --transpile-only bench/readings.ts [N=10000] [--keep]
 *
 * TEST_ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * names the server and a role allowed to create databases.
 */
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../config/data-source-options';
import { RequestApplier } from '../libs/workflow/request-applier';
import { WorkflowEngine } from '../libs/workflow/workflow-engine';
import { ReviewService } from '../src/approval/review.service';
import { ReadingService } from '../src/metering/reading.service';

const CONCURRENCY = 50;
const WORKER_CONCURRENCY = 8;

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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const count = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 10_000);
  const keep = args.includes('--keep');
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const databaseName = `bench_readings_${Date.now().toString(36)}`;
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${databaseName}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${databaseName}"`);
  let dataSource: DataSource | undefined;
  try {
    dataSource = await new DataSource({
      ...dataSourceOptions({ DATABASE_URL: databaseUrl.toString(), DATABASE_POOL_SIZE: CONCURRENCY + 4 }),
      entities: [],
    }).initialize();
    await dataSource.runMigrations();
    const company: Array<{ id: number }> = await dataSource.query(
      `INSERT INTO companies (code, name) VALUES ('bench', 'Bench Kft.') RETURNING id`,
    );
    const companyId = company[0].id;
    await dataSource.query(
      `INSERT INTO customers (company_id, code, name, postcode, town, address)
       SELECT $1, 'B' || lpad(i::text, 7, '0'), 'Bench ' || i, '1111', 'Budapest', 'Fő utca ' || i FROM generate_series(1, $2) AS i`,
      [companyId, count],
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
    // Three years of monthly billable readings per meter, so the hints have history to read.
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
    const targets: Array<{ customer_id: string; meter_id: string }> = await dataSource.query(
      `SELECT sp.customer_id, m.id AS meter_id FROM meters m JOIN service_points sp ON sp.id = m.service_point_id WHERE m.company_id = $1 ORDER BY m.id`,
      [companyId],
    );

    const engine = new WorkflowEngine(dataSource);
    const readings = new ReadingService(dataSource, engine);
    readings.onModuleInit();
    const review = new ReviewService(engine, dataSource);
    const applier = new RequestApplier(dataSource, engine);

    const latencies: number[] = [];
    const requestIds: number[] = [];
    let started = performance.now();
    await pool(targets, CONCURRENCY, async (target) => {
      const t0 = performance.now();
      const result = await readings.submit(Number(target.customer_id), companyId, { meterId: Number(target.meter_id), value: '365.5' });
      latencies.push(performance.now() - t0);
      if (!result.ok) throw new Error(result.error.message);
      requestIds.push(result.value.requestId);
    });
    let seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    process.stdout.write(
      `submissions (service layer, ${CONCURRENCY} concurrent customers): ${targets.length} in ${seconds.toFixed(2)} s = ` +
        `${Math.round(targets.length / seconds)}/s; p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms\n`,
    );

    const clerk: Array<{ id: number }> = await dataSource.query(
      `INSERT INTO clerks (company_id, email, name, role, password_hash) VALUES ($1, 'bench@example.test', 'Bench', 'supervisor', 'x') RETURNING id`,
      [companyId],
    );
    const flagged: Array<{ count: string }> = await dataSource.query(`SELECT count(*) FROM requests WHERE flagged`);
    started = performance.now();
    const outcomes = await review.bulkApprove(
      companyId,
      { id: clerk[0].id, role: 'supervisor' },
      requestIds.map((requestId) => ({ requestId, expectedVersion: 1 })),
    );
    const approvedSeconds = (performance.now() - started) / 1000;
    const approved = outcomes.filter((outcome) => outcome.ok).length;
    const applyStarted = performance.now();
    await pool(
      outcomes.filter((outcome) => outcome.ok),
      WORKER_CONCURRENCY,
      async (outcome) => {
        const applied = await applier.apply(companyId, outcome.requestId);
        if (applied.outcome !== 'applied') throw new Error(`request ${outcome.requestId}: ${applied.outcome}`);
      },
    );
    const applySeconds = (performance.now() - applyStarted) / 1000;
    seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      `bulk approval: ${approved} approved (${Number(flagged[0].count)} flagged refused) in ${approvedSeconds.toFixed(2)} s; ` +
        `application (${WORKER_CONCURRENCY} at once, no Redis): ${applySeconds.toFixed(2)} s; total ${seconds.toFixed(2)} s\n`,
    );
  } finally {
    await dataSource?.destroy();
    if (keep) process.stdout.write(`kept database ${databaseName}\n`);
    else await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
