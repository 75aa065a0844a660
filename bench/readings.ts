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
import { RequestApplier } from '../libs/workflow/request-applier';
import { WorkflowEngine } from '../libs/workflow/workflow-engine';
import { ReviewService } from '../src/approval/review.service';
import { ReadingService } from '../src/metering/reading.service';
import { benchArgs, latencyReport, loadReadingCustomers, pool, withScratchDatabase } from './bench-kit';

const CONCURRENCY = 50;
const WORKER_CONCURRENCY = 8;

async function main(): Promise<void> {
  const { count, keep } = benchArgs(10_000);
  await withScratchDatabase('readings', { poolSize: CONCURRENCY + 4, keep }, async (dataSource) => {
    const { companyId, targets } = await loadReadingCustomers(dataSource, count);
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
      const result = await readings.submit(target.customerId, companyId, { meterId: target.meterId, value: '365.5' });
      latencies.push(performance.now() - t0);
      if (!result.ok) throw new Error(result.error.message);
      requestIds.push(result.value.requestId);
    });
    let seconds = (performance.now() - started) / 1000;
    process.stdout.write(
      latencyReport(`submissions (service layer, ${CONCURRENCY} concurrent customers)`, targets.length, seconds, latencies),
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
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
