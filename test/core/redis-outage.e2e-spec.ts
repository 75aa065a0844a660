import { DataSource } from 'typeorm';
import { ReviewService } from '../../src/approval/review.service';
import { QueuesService } from '../../src/core/queues.service';
import { JOBS } from '../../src/jobs';
import { ReadingService } from '../../src/metering/reading.service';
import { createClerk, createMeter, createMeterWorld, waitFor } from '../metering/fixtures';
import { loginTestCustomer } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { PrivateRedis } from '../support/private-redis';

/**
 * A Redis of the test's own is killed and started again (empty, as after a crash
 * without persistence) under the real app with its worker and outbox relay.
 */
describe('a Redis outage (a private Redis killed and started again)', () => {
  let redis: PrivateRedis;
  let running: RunningApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    running = await startTestApp({
      withWorker: true,
      env: { REDIS_URL: redis.url, OUTBOX_POLL_MS: '100', OUTBOX_RESEND_AFTER_MS: '1000', JOB_BACKOFF_MS: '100' },
    });
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
    await redis?.kill();
  });

  it('answers 503 with Retry-After on an authenticated route and on readiness while Redis is down, without waiting for it', async () => {
    const world = await createMeterWorld(dataSource);
    const session = await loginTestCustomer(running, dataSource, world.companyId, world.customerId);
    const meters = () => fetch(`${running.url}/api/v1/meters`, { headers: { authorization: `Bearer ${session.bearer}` } });
    expect((await meters()).status).toBe(200);

    await redis.kill();
    // The abort only catches a request that waits for Redis to come back (it stays down).
    const during = await fetch(`${running.url}/api/v1/meters`, {
      headers: { authorization: `Bearer ${session.bearer}` },
      signal: AbortSignal.timeout(5_000),
    });
    expect({ status: during.status, retryAfter: during.headers.get('retry-after') }).toEqual({ status: 503, retryAfter: '5' });
    const page = await fetch(`${running.url}/readings`, { headers: { cookie: session.cookie }, signal: AbortSignal.timeout(5_000) });
    expect(page.status).toBe(503);
    const ready = await fetch(`${running.url}/health/ready`, { signal: AbortSignal.timeout(5_000) });
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: { redis: { status: string } } }).error.redis.status).toBe('down');
    // Pages and routes that need no session still answer.
    expect((await fetch(`${running.url}/health`)).status).toBe(200);

    await redis.startAgain();
    await waitFor(async () => ((await fetch(`${running.url}/health/ready`)).ok ? true : undefined));
    // The restarted Redis lost the sessions: logged out, not an error.
    expect((await meters()).status).toBe(401);
  });

  it('applies every request approved before Redis lost its jobs, each exactly once', async () => {
    const world = await createMeterWorld(dataSource);
    const meterIds = [world.meterId];
    for (let i = 1; i < 12; i += 1) meterIds.push(await createMeter(dataSource, world.companyId, world.servicePointId));
    const readings = running.app.get(ReadingService);
    const requestIds: number[] = [];
    for (const meterId of meterIds) {
      const submitted = await readings.submit(world.companyId, world.customerId, { meterId, value: '10' });
      if (!submitted.ok) throw new Error(submitted.error.message);
      requestIds.push(submitted.value.requestId);
    }
    // Paused, the worker takes no apply job: every one of them is in Redis when it dies.
    const applyQueue = running.app.get(QueuesService).queue(JOBS.applyRequest.queue);
    await applyQueue.pause();
    const clerk = { id: await createClerk(dataSource, world.companyId), role: 'clerk' as const };
    const outcomes = await running.app.get(ReviewService).bulkApprove(
      world.companyId,
      clerk,
      requestIds.map((requestId) => ({ requestId, expectedVersion: 1 })),
    );
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    // One apply job names the whole batch.
    const applyRows = `SELECT count(*)::int AS n FROM outbox WHERE company_id = $1 AND job_name = 'apply'`;
    const [applyRow] = (await dataSource.query(`SELECT payload FROM outbox WHERE company_id = $1 AND job_name = 'apply'`, [
      world.companyId,
    ])) as Array<{ payload: { requestIds: number[] } }>;
    expect(applyRow.payload.requestIds).toEqual(requestIds);
    await waitFor(async () => {
      const [{ n }] = await dataSource.query(`${applyRows} AND relayed_at IS NOT NULL`, [world.companyId]);
      return n === 1 ? true : undefined;
    });

    await redis.kill();
    await redis.startAgain(); // empty: the jobs and the pause are gone

    await waitFor(async () => {
      const [{ n }] = await dataSource.query(`SELECT count(*)::int AS n FROM requests WHERE id = ANY($1) AND state = 'applied'`, [
        requestIds,
      ]);
      return n === requestIds.length ? true : undefined;
    }, 30_000);
    const perRequest: Array<{ readings: number; applied: number }> = await dataSource.query(
      `SELECT (SELECT count(*)::int FROM readings r WHERE r.request_id = q.id) AS readings,
              (SELECT count(*)::int FROM request_transitions t WHERE t.request_id = q.id AND t.event = 'APPLIED') AS applied
         FROM requests q WHERE q.id = ANY($1)`,
      [requestIds],
    );
    expect(perRequest).toEqual(requestIds.map(() => ({ readings: 1, applied: 1 })));
    await waitFor(async () => {
      const [{ n }] = await dataSource.query(`${applyRows} AND completed_at IS NULL`, [world.companyId]);
      return n === 0 ? true : undefined;
    });
  });
});
