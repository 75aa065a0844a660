import IORedis from 'ioredis';
import { Client } from 'pg';
import { deleteKeysMatching } from './redis-keys';
import { takeTestRun } from './test-environment';

/** Drops the run's databases (the template and each spec file's copy) and every Redis key under its prefixes. */
export default async function globalTeardown(): Promise<void> {
  const run = takeTestRun();
  const admin = new Client({ connectionString: run.adminDatabaseUrl });
  await admin.connect();
  const copies: Array<{ datname: string }> = (
    await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${run.databaseName}\\_f%`])
  ).rows;
  for (const { datname } of [...copies, { datname: run.databaseName }]) {
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  await admin.end();

  const redis = new IORedis(run.redisUrl);
  // Spec files extend the run's prefixes (see isolated-environment.ts): match them all.
  for (const prefix of [run.queuePrefix.slice(0, -1), run.keyPrefix.slice(0, -1)]) await deleteKeysMatching(redis, `${prefix}*`);
  redis.disconnect();
}
