import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { AppConfig } from './configuration';

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
