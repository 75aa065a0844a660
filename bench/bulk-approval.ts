/**
 * A clerk's bulk approval until the worker has applied every request, on a scratch
 * database of its own (created, migrated, loaded, dropped) with 2·N customers, each
 * with a meter, three years of readings and a submitted reading (ReadingService.submit):
 *
 * 1. The portal: a worker process (src/worker.ts, ROLE=worker, production settings:
 *    outbox relay, BullMQ, the applier) and an API process (src/main.ts, ROLE=api) run;
 *    a clerk approves N readings through POST /api/v1/backoffice/requests/bulk-approve,
 *    `--batch` items per call (default BULK_MAX, the API's limit: one call; the queue
 *    page approves the 50 rows it shows). The clock stops when every one is applied.
 *    The split by stage comes from the database's own timestamps: the last APPROVE
 *    transition (decide), the last apply job's outbox row relayed (relay), the last
 *    APPLIED transition (apply), each counted from the click; then when the follow-up
 *    jobs (decision e-mails, feed exports) are all done. Effects' outbox rows name up to
 *    EFFECT_BATCH_MAX requests each (WorkflowEngine.sendMany), so this is ~40 apply jobs.
 * 2. Its plain counterpart on the other N: the same statements in this process, with
 *    neither queue nor worker nor HTTP: ReviewService.bulkApprove, then
 *    RequestApplier.applyMany over the approved requests, APPLY_BATCH_MAX at a time. What
 *    the database work alone costs; the portal's share is plain ÷ portal.
 *
 *   npx ts-node --transpile-only bench/bulk-approval.ts [N=10000] [--batch=10000] [--plain=0] [--keep]
 *
 * TEST_ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names a
 * role that may create databases; REDIS_URL (default redis://127.0.0.1:6379) the Redis
 * server. Redis keys go under prefixes of their own and are deleted at the end.
 */
import { ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { payloadNamesAnyOf } from '../libs/outbox/outbox';
import { parseConfig } from '../config/configuration';
import { RequestApplier } from '../libs/workflow/request-applier';
import { WorkflowEngine } from '../libs/workflow/workflow-engine';
import { RequestKinds } from '../src/approval/request-kind';
import { APPLY_BATCH_MAX } from '../src/approval/apply.processor';
import { BULK_MAX, ReviewService } from '../src/approval/review.service';
import { createHttpApp } from '../src/bootstrap';
import { SessionService } from '../src/identity/session.service';
import { JOBS } from '../src/jobs';
import { MeterHistory } from '../src/metering/meter-history.service';
import { ReadingReview } from '../src/metering/reading-review';
import { ReadingService } from '../src/metering/reading.service';
import {
  benchArgs,
  benchEnv,
  benchPrefixes,
  CONCURRENCY,
  createBenchClerk,
  deleteBenchKeys,
  freePort,
  loadReadingCustomers,
  pool,
  POOL_SIZE,
  startProcess,
  stopProcess,
  waitUntilReady,
  withScratchDatabase,
} from './bench-kit';

async function main(): Promise<void> {
  const { count, keep, option } = benchArgs(10_000);
  const batch = Math.min(option('batch', BULK_MAX), BULK_MAX);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { redisPrefix, queuePrefix } = benchPrefixes();
  const children: ChildProcess[] = [];
  let app: Awaited<ReturnType<typeof createHttpApp>> | undefined;
  print(
    `load average at the start: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  try {
    await withScratchDatabase('bulk', { poolSize: POOL_SIZE, keep }, async (dataSource, databaseUrl) => {
      const env = benchEnv({ databaseUrl, redisUrl, redisPrefix, queuePrefix });
      const config = parseConfig(env);
      // This process's app only issues the clerk's bearer token (SessionService); it serves nothing.
      // Built first, so its Redis connection (no offline queue) is up when the token is issued.
      app = await createHttpApp(parseConfig({ ...env, ROLE: 'api' }), 'api');
      // Initialised, so its Redis connection is ready before sessions are issued (InteractiveRedis.onModuleInit).
      await app.init();
      let started = performance.now();
      const { companyId, targets } = await loadReadingCustomers(dataSource, 2 * count);
      const engine = new WorkflowEngine();
      const kinds = new RequestKinds(engine);
      new ReadingReview(dataSource, kinds, new MeterHistory(dataSource)).onModuleInit();
      const readings = new ReadingService(dataSource, engine);
      const requestIds: number[] = new Array(targets.length);
      await pool(
        targets.map((target, index) => ({ target, index })),
        CONCURRENCY,
        async ({ target, index }) => {
          const result = await readings.submit(companyId, target.customerId, { meterId: target.meterId, value: '365.5' });
          if (!result.ok) throw new Error(result.error.message);
          requestIds[index] = result.value.requestId;
        },
      );
      await dataSource.query('ANALYZE');
      print(`loaded ${targets.length} customers and submitted a reading for each in ${seconds(started)} s`);
      const clerk = await createBenchClerk(dataSource, app.get(SessionService), companyId);
      const portalIds = requestIds.slice(0, count);
      const plainIds = requestIds.slice(count);

      // The plain counterpart first, before the worker runs.
      let plainSeconds: number | undefined;
      if (option('plain', 1) !== 0) {
        const review = new ReviewService(dataSource, engine, kinds);
        started = performance.now();
        for (let i = 0; i < plainIds.length; i += batch) {
          const outcomes = await review.bulkApprove(
            companyId,
            { id: clerk.id, role: 'supervisor' },
            plainIds.slice(i, i + batch).map((requestId) => ({ requestId, expectedVersion: 1 })),
          );
          if (outcomes.some((o) => !o.ok)) throw new Error('plain: an approval was refused');
        }
        const plainDecided = seconds(started);
        const applier = new RequestApplier(dataSource, engine);
        for (let i = 0; i < plainIds.length; i += APPLY_BATCH_MAX) {
          const outcomes = await applier.applyMany(
            plainIds.slice(i, i + APPLY_BATCH_MAX).map((requestId) => ({ companyId, requestId, job: { data: {} } })),
          );
          if (outcomes.some((o) => o.status !== 'fulfilled' || o.value.outcome !== 'applied'))
            throw new Error('plain: a request was not applied');
        }
        plainSeconds = (performance.now() - started) / 1000;
        print(
          `plain (the same statements in this process, no queue, no worker, no HTTP): ${count} decided in ${plainDecided} s, ` +
            `all applied in ${plainSeconds.toFixed(2)} s`,
        );
        // Its outbox rows were this process's to run: the worker starting next must find nothing to do.
        await dataSource.query(`UPDATE outbox SET relayed_at = now(), completed_at = now() WHERE completed_at IS NULL`);
      }

      // The portal.
      const worker = startProcess('src/worker.ts', { ...env, ROLE: 'worker' });
      children.push(worker);
      const port = await freePort();
      const api = startProcess('src/main.ts', { ...env, ROLE: 'api', PORT: String(port) });
      children.push(api);
      await waitUntilReady(`http://127.0.0.1:${port}`, api);
      await waitForWorker(queuePrefix, redisUrl, worker);
      const token = clerk.token;
      const [{ clicked }] = (await dataSource.query(`SELECT clock_timestamp() AS clicked`)) as Array<{ clicked: Date }>;
      started = performance.now();
      let approved = 0;
      for (let i = 0; i < portalIds.length; i += batch) {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/backoffice/requests/bulk-approve`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ items: portalIds.slice(i, i + batch).map((requestId) => ({ requestId, expectedVersion: 1 })) }),
        });
        const answer = (await response.json()) as { approved?: number; message?: unknown };
        if (response.status !== 200) throw new Error(`bulk approval answered ${response.status}: ${JSON.stringify(answer.message)}`);
        approved += answer.approved ?? 0;
      }
      const answered = seconds(started);
      if (approved !== count) throw new Error(`${count - approved} approvals refused`);
      await waitUntilApplied(dataSource, portalIds, worker);
      const portalSeconds = (performance.now() - started) / 1000;
      await waitUntilFollowUpsDone(dataSource, worker);
      const followUpsSeconds = seconds(started);
      const stages = await stageTimes(dataSource, portalIds, clicked);
      print(
        `portal: bulk approval of ${count} readings (${Math.ceil(count / batch)} API call(s) of up to ${batch}), ` +
          `all applied by the worker process ${portalSeconds.toFixed(2)} s after the click (target < 10 s); ` +
          (plainSeconds ? `plain's share of the portal's time ${Math.round((100 * plainSeconds) / portalSeconds)} %` : ''),
      );
      print(
        `  stages, from the click: first decided ${stages.firstDecided} s, last decided ${stages.decided} s (API answered at ${answered} s), ` +
          `apply jobs relayed ${stages.relayed} s, first applied ${stages.firstApplied} s, last applied ${stages.applied} s`,
      );
      print(`  follow-up jobs (decision e-mails queued, feed items written) all done ${followUpsSeconds} s after the click`);
      print(`  worker: WORKER_CONCURRENCY ${config.WORKER_CONCURRENCY}, OUTBOX_BATCH_SIZE ${config.OUTBOX_BATCH_SIZE}`);
      await assertExactlyOnce(dataSource, plainSeconds ? requestIds : portalIds);
      print(`every request applied once: one APPLIED transition, one reading and one export row each`);
      print(
        `load average at the end: ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
      );
    });
  } finally {
    await app?.close();
    await Promise.all(children.map(stopProcess));
    await deleteBenchKeys(redisUrl, [redisPrefix, queuePrefix]);
  }
}

/** Waits until the worker process has its BullMQ workers on the requests queue. */
async function waitForWorker(prefix: string, redisUrl: string, worker: ChildProcess): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(JOBS.applyRequest.queue, { connection, prefix });
  try {
    while ((await queue.getWorkersCount()) === 0) {
      if (worker.exitCode !== null) throw new Error('the worker process exited during start-up');
      await sleep(200);
    }
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

async function waitUntilApplied(dataSource: DataSource, requestIds: number[], worker: ChildProcess): Promise<void> {
  let lastReport = performance.now();
  for (;;) {
    const [row] = (await dataSource.query(`SELECT count(*)::int AS applied FROM requests WHERE id = ANY($1) AND state = 'applied'`, [
      requestIds,
    ])) as Array<{ applied: number }>;
    if (row.applied >= requestIds.length) return;
    if (worker.exitCode !== null) throw new Error('the worker process exited before applying every reading');
    if (performance.now() - lastReport > 5_000) {
      print(`  … ${row.applied} of ${requestIds.length} applied`);
      lastReport = performance.now();
    }
    await sleep(50);
  }
}

/** Waits until the decision e-mail and reading export jobs have all completed their outbox rows. */
async function waitUntilFollowUpsDone(dataSource: DataSource, worker: ChildProcess): Promise<void> {
  for (;;) {
    const [row] = (await dataSource.query(`SELECT count(*)::int AS open FROM outbox WHERE completed_at IS NULL AND job_name = ANY($1)`, [
      [JOBS.requestDecided.name, JOBS.exportReading.name],
    ])) as Array<{ open: number }>;
    if (row.open === 0) return;
    if (worker.exitCode !== null) throw new Error('the worker process exited before finishing the follow-up jobs');
    await sleep(50);
  }
}

async function stageTimes(dataSource: DataSource, requestIds: number[], clicked: Date) {
  const [row] = (await dataSource.query(
    `SELECT extract(epoch FROM (SELECT min(created_at) FROM request_transitions WHERE request_id = ANY($1) AND event = 'APPROVE') - $2) AS first_decided,
            extract(epoch FROM (SELECT max(created_at) FROM request_transitions WHERE request_id = ANY($1) AND event = 'APPROVE') - $2) AS decided,
            extract(epoch FROM (SELECT max(relayed_at) FROM outbox
                                 WHERE queue = $3 AND job_name = $4 AND ${payloadNamesAnyOf('requestId', '$1')}) - $2) AS relayed,
            extract(epoch FROM (SELECT min(created_at) FROM request_transitions WHERE request_id = ANY($1) AND event = 'APPLIED') - $2) AS first_applied,
            extract(epoch FROM (SELECT max(created_at) FROM request_transitions WHERE request_id = ANY($1) AND event = 'APPLIED') - $2) AS applied`,
    [requestIds, clicked, JOBS.applyRequest.queue, JOBS.applyRequest.name],
  )) as Array<Record<'first_decided' | 'decided' | 'relayed' | 'first_applied' | 'applied', string>>;
  const fixed = (value: string) => Number(value).toFixed(2);
  return {
    firstDecided: fixed(row.first_decided),
    decided: fixed(row.decided),
    relayed: fixed(row.relayed),
    firstApplied: fixed(row.first_applied),
    applied: fixed(row.applied),
  };
}

/** Every request once: APPLIED once, one reading, one export row. */
async function assertExactlyOnce(dataSource: DataSource, requestIds: number[]): Promise<void> {
  const [row] = (await dataSource.query(
    `SELECT (SELECT count(*)::int FROM requests WHERE id = ANY($1) AND state = 'applied') AS applied,
            (SELECT count(*)::int FROM request_transitions WHERE request_id = ANY($1) AND event = 'APPLIED') AS transitions,
            (SELECT count(*)::int FROM readings WHERE request_id = ANY($1)) AS readings,
            (SELECT count(*)::int FROM outbox o
              CROSS JOIN LATERAL jsonb_array_elements_text(COALESCE(o.payload->'readingIds', jsonb_build_array(o.payload->'readingId'))) AS e(id)
              JOIN readings r ON r.id = e.id::bigint
              WHERE o.job_name = $2 AND r.request_id = ANY($1)) AS exports`,
    [requestIds, JOBS.exportReading.name],
  )) as Array<Record<'applied' | 'transitions' | 'readings' | 'exports', number>>;
  for (const [what, observed] of Object.entries(row)) {
    if (observed !== requestIds.length) throw new Error(`${what}: expected ${requestIds.length}, observed ${observed}`);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(2);
const print = (line: string) => process.stdout.write(`${line}\n`);

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
