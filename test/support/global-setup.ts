import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../config/data-source-options';
import { newTestRun, saveTestRun } from './test-environment';

/**
 * Creates this run's database and migrates it once (migrations, never
 * synchronize), then points every test worker at it through the environment.
 */
export default async function globalSetup(): Promise<void> {
  // TypeORM loads migration files with a plain require; let it read TypeScript.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('ts-node').register({ transpileOnly: true });
  const run = newTestRun();
  const admin = new Client({ connectionString: run.adminDatabaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${run.databaseName}"`);
  await admin.end();

  const dataSource = new DataSource({ ...dataSourceOptions({ DATABASE_URL: run.databaseUrl, DATABASE_POOL_SIZE: 2 }), entities: [] });
  await dataSource.initialize();
  // The schema is rebuilt for every run, so durability is not needed.
  await dataSource.query(`ALTER DATABASE "${run.databaseName}" SET synchronous_commit = off`);
  // A migration reads the TOTP key the way the portal does, from .env too; none of .env's
  // settings (LOG_LEVEL, SMTP_URL, …) may leak into this run's environment through it.
  const environmentBefore = new Set(Object.keys(process.env));
  await dataSource.runMigrations();
  await dataSource.destroy();
  for (const key of Object.keys(process.env)) if (!environmentBefore.has(key)) delete process.env[key];

  Object.assign(process.env, {
    NODE_ENV: 'test',
    DATABASE_URL: run.databaseUrl,
    TEST_RUN_DATABASE: run.databaseName,
    REDIS_URL: run.redisUrl,
    QUEUE_PREFIX: run.queuePrefix,
    REDIS_KEY_PREFIX: run.keyPrefix,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    OUTBOX_POLL_MS: '50',
  });
  saveTestRun(run);
}
