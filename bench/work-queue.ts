/**
 * The clerk's work queue with many pending requests, on a scratch database of its
 * own (created, migrated, dropped): N submitted meter readings (default 100,000,
 * every 50th flagged) of one company, then the pages a clerk opens, one at a time:
 *
 * 1. the first page (50 oldest, no filter);
 * 2. the next page of flagged requests only, after the first page's cursor.
 *
 * Each is run 20 times unmeasured, then R times measured (default 200). The figure to
 * compare is the p99: a page should open well under 500 ms on the target hardware.
 * The query plan (the partial queue index, no sort of all pending rows) is asserted
 * by test/approval/work-queue.e2e-spec.ts; this only measures.
 *
 *   npx ts-node --transpile-only bench/work-queue.ts [N=100000] [--runs=200] [--keep]
 *
 * TEST_ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names
 * a role that may create databases.
 */
import { ApprovalQueueService, QueueFilter } from '../src/approval/approval-queue.service';
import { benchArgs, latencyReport, withScratchDatabase } from './bench-kit';

const WARM_UP = 20;

async function main(): Promise<void> {
  const { count, keep, option } = benchArgs(100_000);
  const runs = option('runs', 200);
  await withScratchDatabase('queue', { poolSize: 2, keep }, async (dataSource) => {
    const [company] = (await dataSource.query(`INSERT INTO companies (code, name) VALUES ('bench', 'Bench Zrt') RETURNING id`)) as Array<{
      id: number;
    }>;
    const [customer] = (await dataSource.query(
      `INSERT INTO customers (company_id, code, name, postcode, town, address) VALUES ($1, 'B1', 'Bench Ügyfél', '6600', 'Szentes', 'Fő utca 1.') RETURNING id`,
      [company.id],
    )) as Array<{ id: number }>;
    const seeded = process.hrtime.bigint();
    await dataSource.query(
      `INSERT INTO requests (company_id, customer_id, kind, state, snapshot, machine_version, subject_ref, payload, flagged, created_at)
       SELECT $1, $2, 'meter_reading', 'submitted',
              '{"status":"active","value":"submitted","historyValue":{},"context":{"assigneeId":null,"rejectionReason":null,"lastError":null},"children":{}}',
              1, 'meter:0', '{}', i % 50 = 0, now() - make_interval(secs => $3 - i)
         FROM generate_series(1, $3) AS i`,
      [company.id, customer.id, count],
    );
    await dataSource.query('ANALYZE requests');
    process.stdout.write(`${count} pending requests loaded in ${(Number(process.hrtime.bigint() - seeded) / 1e9).toFixed(1)} s\n`);

    const queue = new ApprovalQueueService(dataSource);
    const first = await queue.list(company.id, { limit: 50 });
    const pages: Array<[string, QueueFilter]> = [
      ['first page, no filter', { limit: 50 }],
      ['next page of flagged requests', { limit: 50, after: first.next!, flagged: true }],
    ];
    for (const [label, filter] of pages) {
      for (let i = 0; i < WARM_UP; i += 1) await queue.list(company.id, filter);
      const latencies: number[] = [];
      const started = process.hrtime.bigint();
      for (let i = 0; i < runs; i += 1) {
        const at = process.hrtime.bigint();
        const page = await queue.list(company.id, filter);
        latencies.push(Number(process.hrtime.bigint() - at) / 1e6);
        if (page.items.length !== 50) throw new Error(`${label}: ${page.items.length} items, expected 50`);
      }
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      process.stdout.write(latencyReport(`${label} (p99 should stay well under 500 ms)`, runs, seconds, latencies));
    }
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
