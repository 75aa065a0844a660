import { DataSource } from 'typeorm';
import { hashPassword } from '../../src/identity/password-hasher';

let sequence = 0;

/** A customer of `companyId` with a unique code. */
export async function createTestCustomer(
  dataSource: DataSource,
  companyId: number,
  name = 'Teszt Ügyfél',
): Promise<{ id: number; code: string; name: string }> {
  sequence += 1;
  const code = `T${process.pid % 100000}${sequence}`.slice(0, 20);
  const rows: Array<{ id: string }> = await dataSource.query(
    `INSERT INTO customers (company_id, code, name, postcode, town, address) VALUES ($1, $2, $3, '6600', 'Szentes', 'Fő utca 1.') RETURNING id`,
    [companyId, code, name],
  );
  return { id: Number(rows[0].id), code, name };
}

/** An invoice of a customer issued `daysAgo` days ago. */
export async function createTestInvoice(
  dataSource: DataSource,
  companyId: number,
  customerId: number,
  options: { grossTotal?: number; daysAgo?: number } = {},
): Promise<{ number: string; grossTotal: number }> {
  sequence += 1;
  const number = `INV${process.pid}-${Date.now().toString(36)}-${sequence}`;
  const grossTotal = options.grossTotal ?? 38837;
  const daysAgo = options.daysAgo ?? 30;
  await dataSource.query(
    `INSERT INTO invoices (company_id, customer_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount)
     VALUES ($1, $2, $3, 'district_heating', date_trunc('month', current_date - $4::int)::date, current_date - $4::int, current_date - $4::int + 15, $5, 0)`,
    [companyId, customerId, number, daysAgo, grossTotal],
  );
  return { number, grossTotal };
}

/** A portal account (e-mail verified) for a customer, with `password` set. */
export async function createTestAccount(
  dataSource: DataSource,
  companyId: number,
  customerId: number,
  email: string,
  password: string,
): Promise<void> {
  await dataSource.query(
    `INSERT INTO customer_accounts (company_id, customer_id, login_email, password_hash, email_verified_at) VALUES ($1, $2, $3, $4, now())`,
    [companyId, customerId, email, await hashPassword(password)],
  );
}
