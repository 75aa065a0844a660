import IORedis from 'ioredis';
import { Client } from 'pg';
import { deleteKeysMatching } from './redis-keys';
import { takeTestRun } from './test-environment';

/**
 * Drops the run's databases (the template, each spec file's copy, scratch databases) by
 * their name prefix, also those a spec file could not drop itself, and every Redis key
 * under the run's prefixes.
 */
export default async function globalTeardown(): Promise<void> {
  const run = takeTestRun();
  const admin = new Client({ connectionString: run.adminDatabaseUrl });
  await admin.connect();
  const leftovers: Array<{ datname: string }> = (
    await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${run.databaseName}\\_%`])
  ).rows;
  for (const { datname } of [...leftovers, { datname: run.databaseName }]) {
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  await admin.end();

  const redis = new IORedis(run.redisUrl);
  // Spec files extend the run's prefixes (see isolated-environment.ts): match them all.
  for (const prefix of [run.queuePrefix.slice(0, -1), run.keyPrefix.slice(0, -1)]) await deleteKeysMatching(redis, `${prefix}*`);
  redis.disconnect();
}
