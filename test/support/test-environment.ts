import { randomBytes } from 'node:crypto';
import { writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the global setup tells the teardown what it created. */
const STATE_FILE = join(tmpdir(), `ugyfelportal-jest-${process.ppid}-${process.pid}.json`);

export interface TestRun {
  adminDatabaseUrl: string;
  databaseUrl: string;
  databaseName: string;
  redisUrl: string;
  queuePrefix: string;
  keyPrefix: string;
}

/** A role on the test server that may create and drop databases. */
export function adminDatabaseUrl(): string {
  return process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Names this run's database and Redis prefix; nothing is shared with other runs. */
export function newTestRun(): TestRun {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const databaseName = `portal_test_${id}`;
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${databaseName}`;
  return {
    adminDatabaseUrl: adminDatabaseUrl(),
    databaseUrl: url.toString(),
    databaseName,
    redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    queuePrefix: `{portal-test-${id}}`,
    keyPrefix: `portal-test-${id}:`,
  };
}

/**
 * A name for an extra, empty database of this run (migration tests), under the run's
 * database name, so the global teardown drops it even when the test could not.
 */
export function newScratchDatabase(): { adminDatabaseUrl: string; databaseName: string; databaseUrl: string } {
  const runDatabase = process.env.TEST_RUN_DATABASE;
  if (!runDatabase) throw new Error('TEST_RUN_DATABASE is unset: scratch databases are for tests run by Jest');
  const databaseName = `${runDatabase}_s${randomBytes(4).toString('hex')}`;
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${databaseName}`;
  return { adminDatabaseUrl: adminDatabaseUrl(), databaseName, databaseUrl: url.toString() };
}

export function saveTestRun(run: TestRun): void {
  writeFileSync(STATE_FILE, JSON.stringify(run));
}

export function takeTestRun(): TestRun {
  const run = JSON.parse(readFileSync(STATE_FILE, 'utf8')) as TestRun;
  rmSync(STATE_FILE, { force: true });
  return run;
}
