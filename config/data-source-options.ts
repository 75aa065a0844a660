import { join } from 'node:path';
import { Client, types } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { AppConfig } from './configuration';

// A calendar date (invoice due date, reading date) has no time zone: keep pg's
// 'YYYY-MM-DD' text instead of a Date at local midnight, which can shift the day.
types.setTypeParser(types.builtins.DATE, (value) => value);

/**
 * A pool connection that always has an 'error' listener. PostgreSQL ending a
 * connection while it is checked out but between two queries (a restart, an
 * administrator's pg_terminate_backend, a failover) emits 'error' on the client, and
 * TypeORM leaves windows where it listens for none: without this the process crashes.
 * Nothing is lost by listening: the next query on the connection fails ("not
 * queryable", a transient error) and the pool replaces it.
 */
class ResilientClient extends Client {
  constructor(...args: ConstructorParameters<typeof Client>) {
    super(...args);
    this.on('error', () => undefined);
  }
}

/**
 * The one TypeORM options object, used by the app, the CLI and the tests.
 * Schema changes only through migrations: synchronize stays off everywhere.
 */
export function dataSourceOptions(config: Pick<AppConfig, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>): DataSourceOptions {
  const root = join(__dirname, '..');
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    synchronize: false,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    entities: [join(root, '{src,libs}/**/*.entity.{ts,js}')],
    migrations: [join(root, 'migrations/*.{ts,js}')],
    extra: { max: config.DATABASE_POOL_SIZE, Client: ResilientClient },
  };
}
