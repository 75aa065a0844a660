import { DataSource } from 'typeorm';
import { parseConfig } from '../../config/configuration';
import { dataSourceOptions } from '../../config/data-source-options';

/** A DataSource on this test run's (already migrated) database. */
export async function openTestDataSource(): Promise<DataSource> {
  const config = parseConfig(process.env);
  const dataSource = new DataSource({ ...dataSourceOptions({ ...config, DATABASE_POOL_SIZE: 5 }) });
  return dataSource.initialize();
}

let companySequence = 0;

/**
 * A company of its own for one test, so tests never see each other's rows. Its clerks and
 * supervisors get a 30-day grace period for their first second factor, so that tests about
 * something else can use clerks without one (admins must enrol at once anyway); tests of
 * the second-factor rule pass `totpGraceDays: 0`, the production default.
 */
export async function createTestCompany(
  dataSource: DataSource,
  name = 'Teszt cég',
  options: { totpGraceDays?: number } = {},
): Promise<number> {
  companySequence += 1;
  const code = `t-${process.pid}-${Date.now().toString(36)}-${companySequence}`;
  const rows: Array<{ id: number }> = await dataSource.query(
    `INSERT INTO companies (code, name, totp_grace_days) VALUES ($1, $2, $3) RETURNING id`,
    [code, name, options.totpGraceDays ?? 30],
  );
  return rows[0].id;
}
