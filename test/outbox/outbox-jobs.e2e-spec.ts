import { DataSource } from 'typeorm';
import { addManyToOutbox, runOutboxJob, runOutboxJobs } from '../../libs/outbox/outbox';
import { createTestCompany, openTestDataSource } from '../support/database';

describe('outbox jobs run together (real PostgreSQL)', () => {
  const job = { queue: `outbox-jobs-test-${process.pid}`, name: 'effect' };
  let dataSource: DataSource;
  let companyId: number;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    companyId = await createTestCompany(dataSource);
  });

  afterAll(async () => {
    await dataSource.destroy();
  });

  const completed = async (ids: number[]) =>
    (
      (await dataSource.query(`SELECT id, completed_at IS NOT NULL AS done FROM outbox WHERE id = ANY($1) ORDER BY id`, [ids])) as Array<{
        id: string;
        done: boolean;
      }>
    ).map((row) => row.done);

  it('runs a job alone once: a second run of the same row finds it done', async () => {
    const [outboxId] = await addManyToOutbox(dataSource.manager, job, [{ n: 0 }], companyId);
    let runs = 0;
    const effect = async () => (runs += 1);
    expect(await runOutboxJob(dataSource, { data: { outboxId } }, effect)).toBe(1);
    expect(await runOutboxJob(dataSource, { data: { outboxId } }, effect)).toBeUndefined();
    expect(runs).toBe(1);
    expect(await completed([outboxId])).toEqual([true]);
  });

  it('runs each row once in one transaction, even a row named by two jobs, and marks them done', async () => {
    const ids = await addManyToOutbox(dataSource.manager, job, [{ n: 1 }, { n: 2 }], companyId);
    const ran: number[] = [];
    const jobs = [...ids, ids[0]].map((outboxId) => ({ data: { outboxId } }));
    const results = await runOutboxJobs(dataSource, jobs, async (_manager, each) => {
      ran.push(each.data.outboxId);
      return each.data.outboxId;
    });
    expect(results).toEqual([
      { status: 'fulfilled', value: ids[0] },
      { status: 'fulfilled', value: ids[1] },
      { status: 'fulfilled', value: undefined },
    ]);
    expect(ran).toEqual(ids);
    expect(await completed(ids)).toEqual([true, true]);
    // Re-sent jobs find their rows done.
    expect(await runOutboxJobs(dataSource, jobs, async () => 'ran again')).toEqual(
      jobs.map(() => ({ status: 'fulfilled', value: undefined })),
    );
  });

  it('lets one failing job fail alone: the others run and are done, its row stays open for a retry', async () => {
    const ids = await addManyToOutbox(dataSource.manager, job, [{ n: 3 }, { n: 4 }, { n: 5 }], companyId);
    const results = await runOutboxJobs(
      dataSource,
      ids.map((outboxId) => ({ data: { outboxId } })),
      async (manager, each) => {
        await manager.query(`UPDATE outbox SET payload = payload || '{"touched": true}' WHERE id = $1`, [each.data.outboxId]);
        if (each.data.outboxId === ids[1]) throw new Error('refused');
        return 'ok';
      },
    );
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await completed(ids)).toEqual([true, false, true]);
    const touched = (await dataSource.query(
      `SELECT (payload->>'touched') IS NOT NULL AS touched FROM outbox WHERE id = ANY($1) ORDER BY id`,
      [ids],
    )) as Array<{ touched: boolean }>;
    // The failing job's own change rolled back with it.
    expect(touched.map((row) => row.touched)).toEqual([true, false, true]);
  });
});
