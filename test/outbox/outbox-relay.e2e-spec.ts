import { Queue, QueueEvents, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { DataSource } from 'typeorm';
import { parseConfig } from '../../config/configuration';
import { addToOutbox, completeOutboxJob, outboxJobId } from '../../libs/outbox/outbox';
import { OutboxRelay } from '../../libs/outbox/outbox-relay';
import { createRedisConnection } from '../../libs/queue/redis';
import { createTestCompany, openTestDataSource } from '../support/database';

const quietLogger = { log: () => undefined, error: () => undefined };
const relayOptions = { batchSize: 20, resendAfterMs: 60_000 };

describe('outbox relay (real PostgreSQL and Redis)', () => {
  const config = parseConfig(process.env);
  const job = { queue: `relay-test-${process.pid}`, name: 'deliver' };
  let dataSource: DataSource;
  let redis: IORedis;
  let queue: Queue;
  let companyId: number;

  /** The queue for the relay's rows, recording the outbox ids it is handed (this file's database has no other rows). */
  const queueFor = (own: Queue, handedOver: number[] = []) => {
    const addBulk = (jobs: Parameters<Queue['addBulk']>[0]) => {
      handedOver.push(...jobs.map((each) => (each.data as { outboxId: number }).outboxId));
      return own.addBulk(jobs);
    };
    // Every other call (the re-send's job look-ups) goes to the real queue.
    const recording = new Proxy(own, {
      get: (target, property) => {
        if (property === 'addBulk') return addBulk;
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
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
      new OutboxRelay(dataSource, queueFor(queue, handedOver[0]), relayOptions, quietLogger),
      new OutboxRelay(secondDataSource, queueFor(secondQueue, handedOver[1]), relayOptions, quietLogger),
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
    const relay = new OutboxRelay(dataSource, queueFor(queue), relayOptions, quietLogger);
    while ((await relay.relayBatch()) > 0);
    expect(await queue.count()).toBe(before);
  });

  it('adds a row handed over twice as one job, since the row id is the job id', async () => {
    const id = await dataSource.transaction((manager) => addToOutbox(manager, job, { sequence: 1 }, companyId));
    const relay = new OutboxRelay(dataSource, queueFor(queue), relayOptions, quietLogger);
    while ((await relay.relayBatch()) > 0);
    const before = await queue.count();
    // Simulates a relay that enqueued but crashed before marking the row relayed.
    await dataSource.query(`UPDATE outbox SET relayed_at = NULL WHERE id = $1`, [id]);
    while ((await relay.relayBatch()) > 0);
    expect(await queue.count()).toBe(before);
  });

  describe('rows relayed but not completed', () => {
    const relayOf = (resendAfterMs: number) => new OutboxRelay(dataSource, queueFor(queue), { batchSize: 500, resendAfterMs }, quietLogger);
    const relayAll = async (relay: OutboxRelay) => {
      while ((await relay.relayBatch()) > 0);
    };
    /** Makes the row look relayed a minute ago. */
    const age = (id: number) => dataSource.query(`UPDATE outbox SET relayed_at = now() - interval '1 minute' WHERE id = $1`, [id]);

    it('sends again a row whose job Redis lost, and only once it is old enough', async () => {
      const id = await dataSource.transaction((manager) => addToOutbox(manager, job, { sequence: 2 }, companyId));
      const relay = relayOf(30_000);
      await relayAll(relay);
      await queue.remove(outboxJobId(id)); // as a Redis restarted without its data would
      expect(await relay.resendStale()).toBe(0); // relayed just now: not stale yet
      await age(id);
      expect(await relay.resendStale()).toBe(1);
      const again = await queue.getJob(outboxJobId(id));
      expect(again?.data).toEqual({ sequence: 2, outboxId: id });
      const [row] = await dataSource.query(`SELECT relayed_at > now() - interval '10 seconds' AS fresh FROM outbox WHERE id = $1`, [id]);
      expect(row.fresh).toBe(true);
    });

    it('leaves a job still waiting in Redis, and a completed row, alone', async () => {
      const [waiting, done] = await dataSource.transaction(async (manager) => [
        await addToOutbox(manager, job, { sequence: 3 }, companyId),
        await addToOutbox(manager, job, { sequence: 4 }, companyId),
      ]);
      const relay = relayOf(30_000);
      await relayAll(relay);
      await queue.remove(outboxJobId(done));
      await completeOutboxJob(dataSource.manager, { data: { outboxId: done } });
      await age(waiting);
      await age(done);
      expect(await relay.resendStale()).toBe(0);
      expect(await queue.getJobState(outboxJobId(done))).toBe('unknown');
      expect(await queue.getJobState(outboxJobId(waiting))).toBe('waiting');
    });

    it('retries a job that failed for good, and a supervisor re-sends a row at once', async () => {
      await queue.drain(); // the earlier tests' waiting jobs; the worker below would fail them too
      const id = await dataSource.transaction((manager) => addToOutbox(manager, job, { sequence: 5 }, companyId));
      const relay = relayOf(30_000);
      const connections = [createRedisConnection(config.REDIS_URL), createRedisConnection(config.REDIS_URL)];
      const events = new QueueEvents(job.queue, { connection: connections[0], prefix: config.QUEUE_PREFIX });
      await events.waitUntilReady();
      const failed = new Promise<void>((resolve) => events.on('failed', ({ jobId }) => jobId === outboxJobId(id) && resolve()));
      const worker = new Worker(
        job.queue,
        async () => {
          throw new Error('database away');
        },
        { connection: connections[1], prefix: config.QUEUE_PREFIX },
      );
      await relayAll(relay);
      await failed; // one attempt (the queue's default): failed for good
      await worker.close();
      await events.close();
      connections.forEach((connection) => connection.disconnect());
      expect(await queue.getJobState(outboxJobId(id))).toBe('failed');

      expect(await relay.resendNow(companyId + 1, [id])).toEqual({ examined: [], resent: 0 }); // another company's row
      expect(await relay.resendNow(companyId, [id])).toEqual({ examined: [id], resent: 1 });
      expect(await queue.getJobState(outboxJobId(id))).toBe('waiting');

      await completeOutboxJob(dataSource.manager, { data: { outboxId: id } });
      expect(await relay.resendNow(companyId, [id])).toEqual({ examined: [], resent: 0 });
    });
  });
});
