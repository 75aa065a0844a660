import { Queue } from 'bullmq';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { parseConfig } from '../../config/configuration';
import { addToOutbox } from '../../libs/outbox/outbox';
import { OutboxRelay } from '../../libs/outbox/outbox-relay';
import { createRedisConnection } from '../../libs/queue/redis';
import { createTestCompany, openTestDataSource } from '../support/database';

const quietLogger = { log: () => undefined, error: () => undefined };

describe('outbox relay (real PostgreSQL and Redis)', () => {
  const config = parseConfig(process.env);
  const job = { queue: `relay-test-${process.pid}`, name: 'deliver' };
  let dataSource: DataSource;
  let redis: IORedis;
  let queue: Queue;
  let companyId: number;

  /** The queue for the relay's rows, recording the outbox ids it is handed (this file's database has no other rows). */
  const queueFor = (own: Queue, handedOver: number[] = []) => {
    const recording = {
      addBulk: (jobs: Array<{ data: { outboxId: number } }>) => {
        handedOver.push(...jobs.map((each) => each.data.outboxId));
        return own.addBulk(jobs as Parameters<Queue['addBulk']>[0]);
      },
    } as unknown as Queue;
    return (name: string) => {
      if (name !== job.queue) throw new Error(`Unexpected outbox row for queue ${name}`);
      return recording;
    };
  };

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    redis = createRedisConnection(config.REDIS_URL);
    queue = new Queue(job.queue, { connection: redis, prefix: config.QUEUE_PREFIX });
    companyId = await createTestCompany(dataSource);
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    redis.disconnect();
    await dataSource.destroy();
  });

  it('delivers every row exactly once when two relays race', async () => {
    const ids = await dataSource.transaction(async (manager) => {
      const written: number[] = [];
      for (let i = 0; i < 500; i += 1) written.push(await addToOutbox(manager, job, { sequence: i }, companyId));
      return written;
    });

    // Each relay has its own pool and Redis connection, like two worker instances.
    const secondDataSource = await openTestDataSource();
    const secondRedis = createRedisConnection(config.REDIS_URL);
    const secondQueue = new Queue(job.queue, { connection: secondRedis, prefix: config.QUEUE_PREFIX });
    const handedOver: number[][] = [[], []];
    const relays = [
      new OutboxRelay(dataSource, queueFor(queue, handedOver[0]), 20, quietLogger),
      new OutboxRelay(secondDataSource, queueFor(secondQueue, handedOver[1]), 20, quietLogger),
    ];
    const moved = [0, 0];
    await Promise.all(
      relays.map(async (relay, index) => {
        for (let batch = await relay.relayBatch(); batch > 0; batch = await relay.relayBatch()) moved[index] += batch;
      }),
    );
    await secondQueue.close();
    secondRedis.disconnect();
    await secondDataSource.destroy();

    // Both relays took part, each counted only the rows it handed over, and no row went through both.
    expect(moved[0]).toBeGreaterThan(0);
    expect(moved[1]).toBeGreaterThan(0);
    expect(moved).toEqual(handedOver.map((own) => own.length));
    expect(moved[0] + moved[1]).toBe(ids.length);
    expect([...handedOver[0], ...handedOver[1]].sort((x, y) => x - y)).toEqual([...ids].sort((x, y) => x - y));
    const jobs = await queue.getJobs(['waiting'], 0, -1);
    expect(jobs).toHaveLength(ids.length);
    expect(new Set(jobs.map((j) => j.id))).toEqual(new Set(ids.map((id) => `outbox-${id}`)));
    expect(jobs.every((j) => j.name === 'deliver' && j.data.outboxId > 0)).toBe(true);
    const [{ pending }] = await dataSource.query(`SELECT count(*)::int AS pending FROM outbox WHERE id = ANY($1) AND relayed_at IS NULL`, [
      ids,
    ]);
    expect(pending).toBe(0);
  });

  it('relays nothing from a transaction that rolled back', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await addToOutbox(manager, job, { sequence: -1 }, companyId);
        throw new Error('use case failed');
      }),
    ).rejects.toThrow('use case failed');
    const before = await queue.count();
    const relay = new OutboxRelay(dataSource, queueFor(queue), 20, quietLogger);
    while ((await relay.relayBatch()) > 0);
    expect(await queue.count()).toBe(before);
  });

  it('adds a row handed over twice as one job, since the row id is the job id', async () => {
    const id = await dataSource.transaction((manager) => addToOutbox(manager, job, { sequence: 1 }, companyId));
    const relay = new OutboxRelay(dataSource, queueFor(queue), 20, quietLogger);
    while ((await relay.relayBatch()) > 0);
    const before = await queue.count();
    // Simulates a relay that enqueued but crashed before marking the row relayed.
    await dataSource.query(`UPDATE outbox SET relayed_at = NULL WHERE id = $1`, [id]);
    while ((await relay.relayBatch()) > 0);
    expect(await queue.count()).toBe(before);
  });
});
