import { DataSource } from 'typeorm';
import { openTestDataSource } from '../support/database';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { RunningApp, startTestApp } from '../support/http-app';
import { ApplyProcessor } from '../../src/approval/apply.processor';
import { ApprovalQueueService } from '../../src/approval/approval-queue.service';
import { ClerkRef, ReviewService } from '../../src/approval/review.service';
import { ReadingService } from '../../src/metering/reading.service';
import {
  createClerk,
  createCustomer,
  createMeter,
  createMeterWorld,
  createReading,
  createServicePoint,
  createWindow,
  daysAgo,
  waitFor,
} from './fixtures';

describe('meter readings through the approval engine (real PostgreSQL, Redis, worker)', () => {
  let running: RunningApp;
  let dataSource: DataSource;
  let readings: ReadingService;
  let review: ReviewService;
  let queue: ApprovalQueueService;

  beforeAll(async () => {
    running = await startTestApp({ withWorker: true });
    dataSource = await openTestDataSource();
    readings = running.app.get(ReadingService);
    review = running.app.get(ReviewService);
    queue = running.app.get(ApprovalQueueService);
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  const clerkIn = async (companyId: number, role: ClerkRef['role'] = 'clerk'): Promise<ClerkRef> => ({
    id: await createClerk(dataSource, companyId, role),
    role,
  });

  it('submit → claim → approve → the worker applies → the reading is billable, with the full log', async () => {
    const world = await createMeterWorld(dataSource, { decimals: 1 });
    await createReading(dataSource, world.companyId, world.meterId, daysAgo(30), 100);
    const clerk = await clerkIn(world.companyId);

    const submitted = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '112,5' });
    if (!submitted.ok) throw new Error(submitted.error.message);
    expect(submitted.value.consumption).toBe(12.5);
    const { requestId } = submitted.value;

    const page = await queue.list(world.companyId);
    expect(page.items.map((item) => item.id)).toEqual([requestId]);

    const claimed = await review.claim(world.companyId, clerk, requestId, 1);
    expect(claimed).toMatchObject({ ok: true, value: { to: 'in_review', version: 2 } });
    expect((await queue.list(world.companyId)).items[0]).toMatchObject({ state: 'in_review', assignedClerkId: clerk.id });
    expect(await review.approve(world.companyId, clerk, requestId, 2)).toMatchObject({ ok: true, value: { to: 'approved' } });

    const reading = await waitFor(async () => {
      const rows: Array<{ value: string; kind: string; billable: boolean }> = await dataSource.query(
        `SELECT value, kind, billable FROM readings WHERE request_id = $1`,
        [requestId],
      );
      return rows[0];
    });
    expect(reading).toEqual({ value: '112.500', kind: 'customer', billable: true });
    await waitFor(async () => {
      const rows: Array<{ state: string }> = await dataSource.query(`SELECT state FROM requests WHERE id = $1`, [requestId]);
      return rows[0].state === 'applied' ? true : undefined;
    });
    const log = await queue.history(world.companyId, requestId);
    expect(log.map((step) => `${step.fromState}>${step.toState}:${step.event}:${step.actorKind}`)).toEqual([
      'null>submitted:SUBMIT:customer',
      'submitted>in_review:CLAIM:clerk',
      'in_review>approved:APPROVE:clerk',
      'approved>applied:APPLIED:system',
    ]);
    const outbox: Array<{ job_name: string }> = await dataSource.query(`SELECT job_name FROM outbox WHERE company_id = $1 ORDER BY id`, [
      world.companyId,
    ]);
    expect(outbox.map((row) => row.job_name)).toEqual(['apply', 'request-decided', 'export-reading', 'request-decided']);
    expect((await queue.list(world.companyId)).items).toEqual([]);
  });

  it('rejects with the reason kept; a rejection needs a reason', async () => {
    const world = await createMeterWorld(dataSource);
    const clerk = await clerkIn(world.companyId);
    const submitted = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '5' });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const { requestId } = submitted.value;
    expect(await review.reject(world.companyId, clerk, requestId, 1, '  ')).toMatchObject({ ok: false, error: { code: 'invalid_event' } });
    expect(await review.reject(world.companyId, clerk, requestId, 1, 'Az óraállás nem olvasható')).toMatchObject({
      ok: true,
      value: { to: 'rejected' },
    });
    const log = await queue.history(world.companyId, requestId);
    expect(log.at(-1)).toMatchObject({ event: 'REJECT', toState: 'rejected', comment: 'Az óraállás nem olvasható' });
    expect(await review.approve(world.companyId, clerk, requestId, 2)).toMatchObject({
      ok: false,
      error: { code: 'event_not_accepted', state: 'rejected', event: 'APPROVE' },
    });
  });

  it('lets the customer withdraw before review, and only their own request', async () => {
    const world = await createMeterWorld(dataSource);
    const submitted = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '5' });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const engine = running.app.get(WorkflowEngine);
    const stranger = await createCustomer(dataSource, world.companyId);
    const send = (customerId: number) =>
      engine.send(dataSource.manager, {
        companyId: world.companyId,
        requestId: submitted.value.requestId,
        event: 'WITHDRAW',
        actor: { kind: 'customer', id: customerId },
        expectedVersion: 1,
      });
    expect(await send(stranger)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await send(world.customerId)).toMatchObject({ ok: true, value: { to: 'withdrawn' } });
  });

  it('gives one of two clerks approving at once a version conflict', async () => {
    const world = await createMeterWorld(dataSource);
    const [first, second] = [await clerkIn(world.companyId), await clerkIn(world.companyId)];
    const submitted = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '5' });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const results = await Promise.all([
      review.approve(world.companyId, first, submitted.value.requestId, 1),
      review.approve(world.companyId, second, submitted.value.requestId, 1),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok).map((result) => !result.ok && result.error.code)).toEqual(['version_conflict']);
    const approvals: Array<{ count: string }> = await dataSource.query(
      `SELECT count(*) FROM request_transitions WHERE request_id = $1 AND event = 'APPROVE'`,
      [submitted.value.requestId],
    );
    expect(Number(approvals[0].count)).toBe(1);
  });

  it('applies a replayed apply job once', async () => {
    const world = await createMeterWorld(dataSource);
    const clerk = await clerkIn(world.companyId);
    const submitted = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '7' });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const { requestId } = submitted.value;
    await review.approve(world.companyId, clerk, requestId, 1);
    // The worker applies the approved request first; every job after that is a replay.
    await waitFor(async () => {
      const rows: Array<{ state: string }> = await dataSource.query(`SELECT state FROM requests WHERE id = $1`, [requestId]);
      return rows[0].state === 'applied' ? true : undefined;
    });
    const processor = running.app.get(ApplyProcessor);
    const job = { data: { requestIds: [requestId], companyId: world.companyId } };
    const outcomes = await Promise.all([processor.handle(job), processor.handle(job)]);
    outcomes.push(await processor.handle(job));
    expect(outcomes.flat().map((outcome) => outcome.outcome)).toEqual(['skipped', 'skipped', 'skipped']);
    const rows: Array<{ count: string }> = await dataSource.query(`SELECT count(*) FROM readings WHERE request_id = $1 AND billable`, [
      requestId,
    ]);
    expect(Number(rows[0].count)).toBe(1);
    const applied: Array<{ count: string }> = await dataSource.query(
      `SELECT count(*) FROM request_transitions WHERE request_id = $1 AND to_state = 'applied'`,
      [requestId],
    );
    expect(Number(applied[0].count)).toBe(1);
    const exports: Array<{ count: string }> = await dataSource.query(
      `SELECT count(*) FROM outbox WHERE company_id = $1 AND job_name = 'export-reading'`,
      [world.companyId],
    );
    expect(Number(exports[0].count)).toBe(1);
  });

  it('records an apply failure, and a supervisor retry applies it', async () => {
    const world = await createMeterWorld(dataSource);
    const clerk = await clerkIn(world.companyId);
    const supervisor = await clerkIn(world.companyId, 'supervisor');
    const submitted = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '7' });
    if (!submitted.ok) throw new Error(submitted.error.message);
    const { requestId } = submitted.value;
    // A bad payload makes the applier fail (as a broken integration would).
    await dataSource.query(`UPDATE requests SET payload = jsonb_set(payload, '{value}', '"-1"') WHERE id = $1`, [requestId]);
    await review.approve(world.companyId, clerk, requestId, 1);
    const failed = await waitFor(async () => {
      const rows: Array<{ state: string; version: number }> = await dataSource.query(`SELECT state, version FROM requests WHERE id = $1`, [
        requestId,
      ]);
      return rows[0].state === 'apply_failed' ? rows[0] : undefined;
    });
    expect((await queue.history(world.companyId, requestId)).at(-1)?.comment).toMatch(/readings_value_check/);
    expect((await queue.list(world.companyId, { states: ['apply_failed'] })).items.map((item) => item.id)).toEqual([requestId]);
    expect(await review.retry(world.companyId, clerk, requestId, failed.version)).toMatchObject({
      ok: false,
      error: { code: 'actor_not_allowed' },
    });
    await dataSource.query(`UPDATE requests SET payload = jsonb_set(payload, '{value}', '"7"') WHERE id = $1`, [requestId]);
    expect(await review.retry(world.companyId, supervisor, requestId, failed.version)).toMatchObject({
      ok: true,
      value: { to: 'approved' },
    });
    await waitFor(async () => {
      const rows: Array<{ state: string }> = await dataSource.query(`SELECT state FROM requests WHERE id = $1`, [requestId]);
      return rows[0].state === 'applied' ? true : undefined;
    });
  });

  it('refuses outside the window, saying when the next opens, or that none is scheduled', async () => {
    const world = await createMeterWorld(dataSource, { window: false });
    expect(await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '1' })).toMatchObject({
      ok: false,
      error: { code: 'window_closed', nextOpensOn: null },
    });
    await createWindow(dataSource, world.companyId, world.meterId, 5, 10);
    const refused = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '1' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'window_closed' } });
    expect(!refused.ok && refused.error.code === 'window_closed' && refused.error.nextOpensOn).toBe(daysAgo(-5));
  });

  it('refuses a value below the last billable reading unless it is a replacement, and bad precision', async () => {
    const world = await createMeterWorld(dataSource);
    await createReading(dataSource, world.companyId, world.meterId, daysAgo(40), 500);
    expect(await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '499' })).toMatchObject({
      ok: false,
      error: { code: 'below_last', lastValue: 500 },
    });
    expect(await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '501.5' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_value' },
    });
    const replaced = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '3', replacement: true });
    expect(replaced).toMatchObject({ ok: true, value: { flagged: true, consumption: 3 } });
  });

  it("refuses another customer's meter as not found", async () => {
    const world = await createMeterWorld(dataSource);
    const other = await createCustomer(dataSource, world.companyId);
    const otherMeter = await createMeter(dataSource, world.companyId, await createServicePoint(dataSource, world.companyId, other));
    expect(await readings.submit(world.companyId, world.customerId, { meterId: otherMeter, value: '1' })).toMatchObject({
      ok: false,
      error: { code: 'meter_not_found' },
    });
    // Nor through another company.
    const elsewhere = await createMeterWorld(dataSource);
    expect(await readings.submit(elsewhere.companyId, world.customerId, { meterId: world.meterId, value: '1' })).toMatchObject({
      ok: false,
      error: { code: 'meter_not_found' },
    });
  });

  it('replaces an unreviewed reading of the window, and refuses once a clerk has it', async () => {
    const world = await createMeterWorld(dataSource);
    const clerk = await clerkIn(world.companyId);
    const first = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '10' });
    const second = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '11' });
    if (!first.ok || !second.ok) throw new Error('submissions refused');
    expect(second.value.replacedRequestId).toBe(first.value.requestId);
    const states: Array<{ id: string; state: string }> = await dataSource.query(
      `SELECT id, state FROM requests WHERE company_id = $1 ORDER BY id`,
      [world.companyId],
    );
    expect(states.map((row) => row.state)).toEqual(['withdrawn', 'submitted']);
    expect((await queue.history(world.companyId, first.value.requestId)).at(-1)).toMatchObject({ event: 'WITHDRAW', actorKind: 'system' });
    await review.claim(world.companyId, clerk, second.value.requestId, 1);
    expect(await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '12' })).toMatchObject({
      ok: false,
      error: { code: 'already_reported', state: 'in_review' },
    });
  });

  it('leaves exactly one live reading of the window when several submissions race', async () => {
    const world = await createMeterWorld(dataSource);
    const results = await Promise.all(
      ['20', '21', '22', '23'].map((value) => readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value })),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    const live: Array<{ id: string; payload: { value: string } }> = await dataSource.query(
      `SELECT id, payload FROM requests WHERE company_id = $1 AND state NOT IN ('withdrawn', 'rejected')`,
      [world.companyId],
    );
    expect(live).toHaveLength(1);
    const withdrawn: Array<{ count: number }> = await dataSource.query(
      `SELECT count(*)::int AS count FROM requests WHERE company_id = $1 AND state = 'withdrawn'`,
      [world.companyId],
    );
    expect(withdrawn[0].count).toBe(3);
  });

  it('lets the database refuse a second live reading of a window even past the service', async () => {
    const world = await createMeterWorld(dataSource);
    const first = await readings.submit(world.companyId, world.customerId, { meterId: world.meterId, value: '30' });
    if (!first.ok) throw new Error(first.error.message);
    await expect(
      dataSource.query(
        `INSERT INTO requests (company_id, customer_id, kind, state, snapshot, machine_version, subject_ref, payload, live_key, answer_due_at)
         SELECT company_id, customer_id, kind, 'submitted', snapshot, machine_version, subject_ref, payload, live_key, answer_due_at
           FROM requests WHERE company_id = $1 AND id = $2`,
        [world.companyId, first.value.requestId],
      ),
    ).rejects.toThrow(/requests_live_key/);
  });
});
