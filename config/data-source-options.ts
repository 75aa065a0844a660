import { join } from 'node:path';
import { types } from 'pg';
import { DataSourceOptions } from 'typeorm';
import { AppConfig } from './configuration';

// A calendar date (invoice due date, reading date) has no time zone: keep pg's
// 'YYYY-MM-DD' text instead of a Date at local midnight, which can shift the day.
types.setTypeParser(types.builtins.DATE, (value) => value);

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
    extra: { max: config.DATABASE_POOL_SIZE },
  };
}
