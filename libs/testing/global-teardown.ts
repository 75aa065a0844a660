import IORedis from 'ioredis';
import { Client } from 'pg';
import { takeTestRun } from './test-environment';

/** Drops the run's database and every Redis key under its prefix. */
export default async function globalTeardown(): Promise<void> {
  const run = takeTestRun();
  const admin = new Client({ connectionString: run.adminDatabaseUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${run.databaseName}" WITH (FORCE)`);
  await admin.end();

  const redis = new IORedis(run.redisUrl);
  for (const prefix of [run.queuePrefix, run.keyPrefix]) {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  }
  redis.disconnect();
}
