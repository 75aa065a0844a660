import { DataSource } from 'typeorm';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { ApprovalQueueService } from '../../src/approval/approval-queue.service';
import { ClerkRef, ReviewService } from '../../src/approval/review.service';
import { ReadingService } from '../../src/metering/reading.service';
import { createClerk, createMeter, createMeterWorld, createReading, daysAgo } from '../metering/fixtures';

describe('clerk work queue (real PostgreSQL)', () => {
  let running: RunningApp;
  let dataSource: DataSource;
  let queue: ApprovalQueueService;
  let review: ReviewService;
  let readings: ReadingService;

  beforeAll(async () => {
    running = await startTestApp();
    dataSource = await openTestDataSource();
    queue = running.app.get(ApprovalQueueService);
    review = running.app.get(ReviewService);
    readings = running.app.get(ReadingService);
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  /** `count` submitted meter readings, straight into the table (ages in days, oldest first). */
  async function seedRequests(companyId: number, customerId: number, count: number, flaggedEvery = 0) {
    await dataSource.query(
      `INSERT INTO requests (company_id, customer_id, kind, state, snapshot, machine_version, subject_ref, payload, flagged, created_at,
                             answer_due_at)
       SELECT $1, $2, 'meter_reading', 'submitted',
              '{"status":"active","value":"submitted","historyValue":{},"context":{"assigneeId":null,"rejectionReason":null,"lastError":null},"children":{}}',
              1, 'meter:0', '{}', $4 > 0 AND i % GREATEST($4, 1) = 0, now() - make_interval(days => $3 - i),
              now() - make_interval(days => $3 - i) + interval '5 days'
         FROM generate_series(1, $3) AS i`,
      [companyId, customerId, count, flaggedEvery],
    );
  }

  it('pages oldest first by keyset, with filters by state, kind, flag and age', async () => {
    const world = await createMeterWorld(dataSource);
    await seedRequests(world.companyId, world.customerId, 25, 5);
    const seen: number[] = [];
    let after: string | undefined;
    do {
      const page = await queue.list(world.companyId, { limit: 10, after });
      seen.push(...page.items.map((item) => item.id));
      after = page.next ?? undefined;
    } while (after);
    expect(seen).toHaveLength(25);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect((await queue.list(world.companyId, { flagged: true })).items).toHaveLength(5);
    expect((await queue.list(world.companyId, { olderThanDays: 21 })).items).toHaveLength(4);
    expect((await queue.list(world.companyId, { kinds: ['address_change'] })).items).toHaveLength(0);
    expect((await queue.list(world.companyId, { states: ['in_review'] })).items).toHaveLength(0);
  });

  it('shows who claimed a request; another clerk cannot decide it; comments change no version', async () => {
    const world = await createMeterWorld(dataSource);
    const mine: ClerkRef = { id: await createClerk(dataSource, world.companyId), role: 'clerk' };
    const other: ClerkRef = { id: await createClerk(dataSource, world.companyId), role: 'clerk' };
    const submitted = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '3' });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const { requestId } = submitted.value;
    await review.claim(world.companyId, mine, requestId, 1);
    expect(await review.claim(world.companyId, other, requestId, 2)).toMatchObject({
      ok: false,
      error: { code: 'event_not_accepted', state: 'in_review' },
    });
    expect(await review.approve(world.companyId, other, requestId, 2)).toMatchObject({ ok: false, error: { code: 'actor_not_allowed' } });
    expect(await review.comment(world.companyId, other, requestId, 'Megnéztem a fotót')).toMatchObject({ ok: true });
    expect(await review.release(world.companyId, mine, requestId, 2)).toMatchObject({ ok: true, value: { to: 'submitted', version: 3 } });
    expect((await queue.list(world.companyId)).items[0]).toMatchObject({ assignedClerkId: null, version: 3 });
    const log = await queue.history(world.companyId, requestId);
    expect(log.map((step) => step.event)).toEqual(['SUBMIT', 'CLAIM', 'COMMENT', 'RELEASE']);
    // Nothing of another company.
    const elsewhere = await createMeterWorld(dataSource);
    const stranger: ClerkRef = { id: await createClerk(dataSource, elsewhere.companyId), role: 'supervisor' };
    expect(await review.approve(elsewhere.companyId, stranger, requestId, 3)).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it("bulk-approves unflagged readings, refusing flagged, stale and other companies' ones, each with its transition and outbox row", async () => {
    const world = await createMeterWorld(dataSource);
    const clerk: ClerkRef = { id: await createClerk(dataSource, world.companyId), role: 'clerk' };
    await createReading(dataSource, world.companyId, world.meterId, daysAgo(40), 100);
    const plain = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '110' });
    const meter2 = await createMeter(dataSource, world.companyId, world.servicePointId);
    const flagged = await readings.submit(world.companyId, world.customerId, { meterId: meter2, value: '1', replacement: true });
    const elsewhere = await createMeterWorld(dataSource);
    const foreign = await readings.submit(elsewhere.companyId, elsewhere.customerId, { meterId: elsewhere.meterId, value: '5' });
    if (!plain.ok || !flagged.ok || !foreign.ok) throw new Error('submissions refused');
    expect(flagged.value.flagged).toBe(true);
    const outcomes = await review.bulkApprove(world.companyId, clerk, [
      { requestId: plain.value.requestId, expectedVersion: 1 },
      { requestId: flagged.value.requestId, expectedVersion: 1 },
      { requestId: plain.value.requestId, expectedVersion: 1 },
      { requestId: foreign.value.requestId, expectedVersion: 1 },
    ]);
    expect(outcomes.map((outcome) => (outcome.ok ? 'ok' : outcome.error.code))).toEqual(['ok', 'flagged', 'version_conflict', 'not_found']);
    const untouched: Array<{ state: string }> = await dataSource.query(`SELECT state FROM requests WHERE id = $1`, [
      foreign.value.requestId,
    ]);
    expect(untouched[0].state).toBe('submitted');
    const outbox: Array<{ count: string }> = await dataSource.query(
      `SELECT count(*) FROM outbox WHERE company_id = $1 AND job_name = 'apply'`,
      [world.companyId],
    );
    expect(Number(outbox[0].count)).toBe(1);
  });

  it('uses the partial queue index with 100,000 pending requests', async () => {
    const world = await createMeterWorld(dataSource);
    await seedRequests(world.companyId, world.customerId, 100_000, 50);
    await dataSource.query('ANALYZE requests');
    const first = await queue.list(world.companyId, { limit: 50 });
    const cursorAt: Array<{ at: string }> = await dataSource.query(`SELECT answer_due_at::text AS at FROM requests WHERE id = $1`, [
      first.items[49].id,
    ]);
    for (const extra of ['', `AND flagged = false`, `AND kind = ANY('{meter_reading}'::text[])`]) {
      const plan: Array<{ 'QUERY PLAN': string }> = await dataSource.query(
        `EXPLAIN SELECT id FROM requests WHERE company_id = $1 AND state IN ('submitted', 'in_review', 'apply_failed') ${extra}
            AND (answer_due_at, id) > ($2::timestamptz, $3::bigint) ORDER BY answer_due_at, id LIMIT 51`,
        [world.companyId, cursorAt[0].at, first.items[49].id],
      );
      expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/Index (Only )?Scan using requests_queue_idx/);
    }
    // How fast it is on real hardware is for bench/work-queue.ts; here only that the page is right.
    const page = await queue.list(world.companyId, { limit: 50, after: first.next!, flagged: true });
    expect(page.items).toHaveLength(50);
    expect(page.items.every((item) => item.flagged)).toBe(true);
  });
});
