import { DataSource } from 'typeorm';
import { RequestApplier } from '../../libs/workflow/request-applier';
import { ClerkRef, ReviewService } from '../../src/approval/review.service';
import { ReadingService } from '../../src/metering/reading.service';
import { createClerk, createMeter, createMeterWorld, MeterWorld } from '../metering/fixtures';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';

/** Set-based bulk approval and batched applies, called directly (no worker runs: nothing else touches the rows). */
describe('bulk approval and batched applies (real PostgreSQL)', () => {
  let running: RunningApp;
  let dataSource: DataSource;
  let readings: ReadingService;
  let review: ReviewService;
  let applier: RequestApplier;

  beforeAll(async () => {
    running = await startTestApp();
    dataSource = await openTestDataSource();
    readings = running.app.get(ReadingService);
    review = running.app.get(ReviewService);
    applier = running.app.get(RequestApplier);
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  /** `count` submitted readings of one customer, each on a meter of its own. */
  async function submitted(world: MeterWorld, count: number): Promise<number[]> {
    const ids: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const meterId = i === 0 ? world.meterId : await createMeter(dataSource, world.companyId, world.servicePointId);
      const result = await readings.submit(world.companyId, world.customerId, { meterId, value: String(10 + i) });
      if (!result.ok) throw new Error(result.error.message);
      ids.push(result.value.requestId);
    }
    return ids;
  }

  const events = async (requestId: number) =>
    (
      (await dataSource.query(`SELECT event, from_state, to_state, actor_kind FROM request_transitions WHERE request_id = $1 ORDER BY id`, [
        requestId,
      ])) as Array<{ event: string; from_state: string | null; to_state: string; actor_kind: string }>
    ).map((row) => `${row.event}:${row.from_state ?? '-'}>${row.to_state}:${row.actor_kind}`);

  const outboxOf = async (requestId: number, jobName: string) =>
    (await dataSource.query(
      `SELECT id, completed_at IS NOT NULL AS completed FROM outbox WHERE job_name = $1 AND payload->'requestIds' @> to_jsonb($2::bigint) ORDER BY id`,
      [jobName, requestId],
    )) as Array<{ id: string; completed: boolean }>;

  it('decides each item on its own: stale, flagged, repeated and other companies’ requests are refused, the rest approved with their log and apply job', async () => {
    const world = await createMeterWorld(dataSource);
    const clerk: ClerkRef = { id: await createClerk(dataSource, world.companyId), role: 'clerk' };
    const [fresh, stale, flagged, repeated] = await submitted(world, 4);
    await dataSource.query(`UPDATE requests SET flagged = true WHERE id = $1`, [flagged]);
    const elsewhere = await createMeterWorld(dataSource);
    const [foreign] = await submitted(elsewhere, 1);

    const outcomes = await review.bulkApprove(world.companyId, clerk, [
      { requestId: fresh, expectedVersion: 1 },
      { requestId: stale, expectedVersion: 7 },
      { requestId: flagged, expectedVersion: 1 },
      { requestId: foreign, expectedVersion: 1 },
      { requestId: repeated, expectedVersion: 1 },
      { requestId: repeated, expectedVersion: 1 },
    ]);
    expect(outcomes).toEqual([
      { requestId: fresh, ok: true, version: 2 },
      { requestId: stale, ok: false, error: expect.objectContaining({ code: 'version_conflict' }) },
      { requestId: flagged, ok: false, error: expect.objectContaining({ code: 'flagged' }) },
      { requestId: foreign, ok: false, error: expect.objectContaining({ code: 'not_found' }) },
      { requestId: repeated, ok: true, version: 2 },
      { requestId: repeated, ok: false, error: expect.objectContaining({ code: 'version_conflict' }) },
    ]);
    for (const approved of [fresh, repeated]) {
      expect(await events(approved)).toEqual(['SUBMIT:->submitted:customer', 'APPROVE:submitted>approved:clerk']);
      expect(await outboxOf(approved, 'apply')).toHaveLength(1);
      const [row] = (await dataSource.query(
        `SELECT state, version, assigned_clerk_id, snapshot->>'value' AS value FROM requests WHERE id = $1`,
        [approved],
      )) as Array<{ state: string; version: number; assigned_clerk_id: number; value: string }>;
      expect(row).toEqual({ state: 'approved', version: 2, assigned_clerk_id: clerk.id, value: 'approved' });
    }
    for (const untouched of [stale, flagged, foreign]) {
      expect(await events(untouched)).toEqual(['SUBMIT:->submitted:customer']);
      expect(await outboxOf(untouched, 'apply')).toHaveLength(0);
    }
  });

  it('decides requests in different states in one batch each by its own state', async () => {
    const world = await createMeterWorld(dataSource);
    const clerk: ClerkRef = { id: await createClerk(dataSource, world.companyId), role: 'clerk' };
    const [claimed, fresh, withdrawn] = await submitted(world, 3);
    expect((await review.claim(world.companyId, clerk, claimed, 1)).ok).toBe(true);
    await dataSource.query(
      `UPDATE requests SET state = 'withdrawn', snapshot = jsonb_set(snapshot, '{value}', '"withdrawn"'), version = 2 WHERE id = $1`,
      [withdrawn],
    );
    const outcomes = await review.bulkApprove(world.companyId, clerk, [
      { requestId: claimed, expectedVersion: 2 },
      { requestId: fresh, expectedVersion: 1 },
      { requestId: withdrawn, expectedVersion: 2 },
    ]);
    expect(outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.error.code))).toEqual(['ok', 'ok', 'event_not_accepted']);
    expect((await events(claimed)).slice(-1)).toEqual(['APPROVE:in_review>approved:clerk']);
    expect((await events(fresh)).slice(-1)).toEqual(['APPROVE:submitted>approved:clerk']);
    expect(await events(withdrawn)).toEqual(['SUBMIT:->submitted:customer']);
  });

  it('applies many in one go, completing their apply jobs; a second run changes nothing', async () => {
    const world = await createMeterWorld(dataSource);
    const clerk: ClerkRef = { id: await createClerk(dataSource, world.companyId), role: 'clerk' };
    const ids = await submitted(world, 3);
    await review.bulkApprove(
      world.companyId,
      clerk,
      ids.map((requestId) => ({ requestId, expectedVersion: 1 })),
    );
    const items = await Promise.all(
      ids.map(async (requestId) => ({
        companyId: world.companyId,
        requestId,
        job: { data: { outboxId: Number((await outboxOf(requestId, 'apply'))[0].id) } },
      })),
    );

    const first = await applier.applyMany(items);
    expect(first).toEqual(ids.map((requestId) => ({ status: 'fulfilled', value: { outcome: 'applied', requestId } })));
    const again = await applier.applyMany(items);
    expect(again).toEqual(ids.map((requestId) => ({ status: 'fulfilled', value: { outcome: 'skipped', requestId, state: 'applied' } })));

    for (const [i, requestId] of ids.entries()) {
      expect((await events(requestId)).slice(-1)).toEqual(['APPLIED:approved>applied:system']);
      expect(await outboxOf(requestId, 'apply')).toEqual([expect.objectContaining({ completed: true })]);
      // One decision e-mail job for the approval, one for the application.
      expect(await outboxOf(requestId, 'request-decided')).toHaveLength(2);
      const rows = (await dataSource.query(`SELECT id, value, kind, billable FROM readings WHERE request_id = $1`, [requestId])) as Array<{
        id: string;
        value: string;
        kind: string;
        billable: boolean;
      }>;
      expect(rows).toEqual([
        { id: expect.anything(), value: expect.stringMatching(new RegExp(`^${10 + i}(\\.0+)?$`)), kind: 'customer', billable: true },
      ]);
      const [exports] = (await dataSource.query(
        `SELECT count(*)::int AS count FROM outbox WHERE job_name = 'export-reading' AND payload->'readingIds' @> to_jsonb($1::bigint)`,
        [rows[0].id],
      )) as Array<{ count: number }>;
      expect(exports.count).toBe(1);
    }
  });

  it('records the one refused request as APPLY_FAILED and applies the others of its batch', async () => {
    const world = await createMeterWorld(dataSource);
    const clerk: ClerkRef = { id: await createClerk(dataSource, world.companyId), role: 'clerk' };
    const [good, bad, alsoGood] = await submitted(world, 3);
    // A value the readings table refuses (as a broken integration would send).
    await dataSource.query(`UPDATE requests SET payload = jsonb_set(payload, '{value}', '"-1"') WHERE id = $1`, [bad]);
    await review.bulkApprove(
      world.companyId,
      clerk,
      [good, bad, alsoGood].map((requestId) => ({ requestId, expectedVersion: 1 })),
    );

    // One apply job names the three; it is done once each has an outcome, the refused one too.
    const [applyRow] = (await dataSource.query(
      `SELECT id, payload, completed_at IS NOT NULL AS completed FROM outbox WHERE job_name = 'apply' AND payload->'requestIds' @> to_jsonb($1::bigint)`,
      [good],
    )) as Array<{ id: string; payload: { requestIds: number[] }; completed: boolean }>;
    expect(applyRow.payload.requestIds).toEqual([good, bad, alsoGood]);
    expect(applyRow.completed).toBe(false);
    const job = { data: { outboxId: Number(applyRow.id) } };
    const outcomes = await applier.applyMany([good, bad, alsoGood].map((requestId) => ({ companyId: world.companyId, requestId, job })));
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: { outcome: 'applied', requestId: good } },
      { status: 'fulfilled', value: { outcome: 'failed', requestId: bad, error: expect.stringMatching(/readings_value_check/) } },
      { status: 'fulfilled', value: { outcome: 'applied', requestId: alsoGood } },
    ]);
    expect((await events(bad)).slice(-1)).toEqual(['APPLY_FAILED:approved>apply_failed:system']);
    const [{ count }] = (await dataSource.query(`SELECT count(*)::int AS count FROM readings WHERE request_id = ANY($1)`, [
      [good, bad, alsoGood],
    ])) as Array<{ count: number }>;
    expect(count).toBe(2);
    const [after] = (await dataSource.query(`SELECT completed_at IS NOT NULL AS completed FROM outbox WHERE id = $1`, [
      applyRow.id,
    ])) as Array<{ completed: boolean }>;
    expect(after.completed).toBe(true);
  });

  it('never applies another company’s request named with the wrong company', async () => {
    const world = await createMeterWorld(dataSource);
    const clerk: ClerkRef = { id: await createClerk(dataSource, world.companyId), role: 'clerk' };
    const [requestId] = await submitted(world, 1);
    await review.bulkApprove(world.companyId, clerk, [{ requestId, expectedVersion: 1 }]);
    const elsewhere = await createMeterWorld(dataSource);
    const outcomes = await applier.applyMany([
      { companyId: elsewhere.companyId, requestId, job: { data: {} } },
      { companyId: elsewhere.companyId, requestId: requestId + 1_000_000, job: { data: {} } },
    ]);
    expect(outcomes).toEqual([
      { status: 'fulfilled', value: { outcome: 'skipped', requestId, state: 'missing' } },
      { status: 'fulfilled', value: { outcome: 'skipped', requestId: requestId + 1_000_000, state: 'missing' } },
    ]);
    const [row] = (await dataSource.query(`SELECT state FROM requests WHERE id = $1`, [requestId])) as Array<{ state: string }>;
    expect(row.state).toBe('approved');
  });
});
