import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ReviewService } from '../../src/approval/review.service';
import { ReadingService } from '../../src/metering/reading.service';
import { createClerk, createMeterWorld, waitFor } from '../metering/fixtures';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';

describe('applying a request when the database drops the connection (real PostgreSQL, Redis, worker)', () => {
  let running: RunningApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    running = await startTestApp({ withWorker: true, env: { JOB_BACKOFF_MS: '100' } });
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  it('retries the job and applies the request once, instead of recording APPLY_FAILED', async () => {
    const world = await createMeterWorld(dataSource);
    const submitted = await running.app
      .get(ReadingService)
      .submit(world.companyId, world.customerId, { meterId: world.meterId, value: '42' });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const { requestId } = submitted.value;

    // Holding the meter row makes the applier's reading insert wait (its foreign key check) mid-apply.
    const blocker = new Client({ connectionString: process.env.DATABASE_URL });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT id FROM meters WHERE id = $1 FOR UPDATE', [world.meterId]);
      const clerk = { id: await createClerk(dataSource, world.companyId), role: 'clerk' as const };
      const [approved] = await running.app.get(ReviewService).bulkApprove(world.companyId, clerk, [{ requestId, expectedVersion: 1 }]);
      expect(approved.ok).toBe(true);

      const applierPid = await waitFor(async () => {
        const rows: Array<{ pid: number }> = await dataSource.query(
          `SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO readings%'`,
        );
        return rows[0]?.pid;
      });
      const [{ terminated }] = await dataSource.query('SELECT pg_terminate_backend($1) AS terminated', [applierPid]);
      expect(terminated).toBe(true);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }

    const state = await waitFor(async () => {
      const rows: Array<{ state: string }> = await dataSource.query(`SELECT state FROM requests WHERE id = $1`, [requestId]);
      return ['applied', 'apply_failed'].includes(rows[0].state) ? rows[0].state : undefined;
    }, 20_000);
    expect(state).toBe('applied');
    const events: Array<{ event: string }> = await dataSource.query(
      `SELECT event FROM request_transitions WHERE request_id = $1 ORDER BY id`,
      [requestId],
    );
    expect(events.map((row) => row.event)).toEqual(['SUBMIT', 'APPROVE', 'APPLIED']);
    const [{ readings }] = await dataSource.query(`SELECT count(*)::int AS readings FROM readings WHERE request_id = $1`, [requestId]);
    expect(readings).toBe(1);
    const [apply] = await dataSource.query(
      `SELECT completed_at IS NOT NULL AS completed FROM outbox WHERE job_name = 'apply' AND payload->'requestIds' @> to_jsonb($1::bigint)`,
      [requestId],
    );
    expect(apply).toEqual({ completed: true });
  });
});
