import { DataSource } from 'typeorm';
import { createTestCompany } from '../support/database';
import { todayInHungary } from '../../src/web/format';

let sequence = 0;
const next = () => `${process.pid % 10000}${Date.now() % 100000}${(sequence += 1)}`;

async function insert(dataSource: DataSource, sql: string, params: unknown[]): Promise<number> {
  const rows: Array<{ id: string }> = await dataSource.query(sql, params);
  return Number(rows[0].id);
}

export interface MeterWorld {
  companyId: number;
  customerId: number;
  servicePointId: number;
  meterId: number;
}

/** A company with one customer, service point and meter (and an open company-wide window unless `window: false`). */
export async function createMeterWorld(dataSource: DataSource, options: { decimals?: number; window?: boolean } = {}): Promise<MeterWorld> {
  const companyId = await createTestCompany(dataSource, 'Mérő teszt');
  const customerId = await createCustomer(dataSource, companyId);
  const servicePointId = await createServicePoint(dataSource, companyId, customerId);
  const meterId = await createMeter(dataSource, companyId, servicePointId, options.decimals ?? 0);
  if (options.window !== false) await createWindow(dataSource, companyId, null, -3, 3);
  return { companyId, customerId, servicePointId, meterId };
}

export function createCustomer(dataSource: DataSource, companyId: number): Promise<number> {
  return insert(
    dataSource,
    `INSERT INTO customers (company_id, code, name, postcode, town, address) VALUES ($1, $2, 'Teszt Elek', '1111', 'Budapest', 'Fő utca 1.') RETURNING id`,
    [companyId, `SU${next()}`.slice(0, 20)],
  );
}

export function createServicePoint(dataSource: DataSource, companyId: number, customerId: number): Promise<number> {
  return insert(
    dataSource,
    `INSERT INTO service_points (company_id, customer_id, postcode, town, address) VALUES ($1, $2, '1111', 'Budapest', 'Fő utca 1.') RETURNING id`,
    [companyId, customerId],
  );
}

export function createMeter(dataSource: DataSource, companyId: number, servicePointId: number, decimals = 0): Promise<number> {
  return insert(
    dataSource,
    `INSERT INTO meters (company_id, service_point_id, serial_number, type, unit, decimals) VALUES ($1, $2, $3, 'hot_water', 'm3', $4) RETURNING id`,
    [companyId, servicePointId, `M${next()}`, decimals],
  );
}

/** A window from `fromDays` to `toDays` around today (Budapest); meterId null = company-wide. */
export function createWindow(
  dataSource: DataSource,
  companyId: number,
  meterId: number | null,
  fromDays: number,
  toDays: number,
): Promise<number> {
  return insert(
    dataSource,
    `INSERT INTO reading_windows (company_id, meter_id, opens_on, closes_on) VALUES ($1, $2, $3::date + $4::int, $3::date + $5::int) RETURNING id`,
    [companyId, meterId, todayInHungary(), fromDays, toDays],
  );
}

export function createReading(dataSource: DataSource, companyId: number, meterId: number, readOn: string, value: number): Promise<number> {
  return insert(
    dataSource,
    `INSERT INTO readings (company_id, meter_id, read_on, value, kind) VALUES ($1, $2, $3, $4, 'normal') RETURNING id`,
    [companyId, meterId, readOn, value],
  );
}

export function createClerk(dataSource: DataSource, companyId: number, role: 'clerk' | 'supervisor' | 'admin' = 'clerk'): Promise<number> {
  return insert(
    dataSource,
    `INSERT INTO clerks (company_id, email, name, role, password_hash) VALUES ($1, $2, 'Ügyintéző', $3, 'not-a-hash') RETURNING id`,
    [companyId, `clerk${next()}@example.test`, role],
  );
}

/** Days before today (Budapest) as 'YYYY-MM-DD'. */
export function daysAgo(days: number): string {
  const date = new Date(`${todayInHungary()}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - days);
  return date.toISOString().slice(0, 10);
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('Timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
