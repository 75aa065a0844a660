import { DataSource } from 'typeorm';
import { loadConfig } from './configuration';
import { dataSourceOptions } from './data-source-options';

/** Used by the TypeORM CLI (`npm run migration:*`). */
export default new DataSource(dataSourceOptions(loadConfig()));
