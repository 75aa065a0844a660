import { loadTotpEncryptionKeys } from '../../config/configuration';
import { parseTotpKeyring } from '../../src/identity/totp-secret-box';
import { DataSource } from 'typeorm';
import { MINTA } from '../../src/demo/demo-data';
import { PasswordHasher, loadCompany } from '../../src/demo/demo-loader';
import { todayInHungary } from '../../src/web/format';

let sequence = 0;

export interface MintaCopy {
  companyId: number;
  companyCode: string;
  /** SU0044, with the seed's invoices and debts. */
  customerId: number;
  invoiceIds: Record<string, number>;
}

/**
 * A company of its own holding the demo's Minta customer SU0044 exactly as the demo
 * loader writes it (the seed's invoices, debts, readings, messages), without clerks and,
 * unless `withAccount` (the demo's login, DEMO_CUSTOMER_PASSWORD), without a portal account.
 * Like createTestCompany's, its clerks and supervisors get a 30-day grace period for their
 * first second factor, so the tests' clerks work without one.
 */
export async function loadMintaCopy(dataSource: DataSource, options: { withAccount?: boolean } = {}): Promise<MintaCopy> {
  sequence += 1;
  const code = `minta-t${process.pid}-${sequence}`;
  const customers = MINTA.customers.map((customer) => (options.withAccount ? customer : { ...customer, account: null }));
  const company = { ...MINTA, code, clerks: [], customers };
  await dataSource.transaction((manager) =>
    loadCompany(manager, company, todayInHungary(), new PasswordHasher(), parseTotpKeyring(loadTotpEncryptionKeys())),
  );
  await dataSource.query(`UPDATE companies SET totp_grace_days = 30 WHERE code = $1`, [code]);
  const [row] = (await dataSource.query(
    `SELECT co.id AS company_id, c.id AS customer_id FROM companies co JOIN customers c ON c.company_id = co.id AND c.code = 'SU0044'
      WHERE co.code = $1`,
    [code],
  )) as Array<{ company_id: number; customer_id: string }>;
  const invoices = (await dataSource.query(`SELECT id, invoice_number FROM invoices WHERE company_id = $1`, [row.company_id])) as Array<{
    id: string;
    invoice_number: string;
  }>;
  return {
    companyId: Number(row.company_id),
    companyCode: code,
    customerId: Number(row.customer_id),
    invoiceIds: Object.fromEntries(invoices.map((invoice) => [invoice.invoice_number, Number(invoice.id)])),
  };
}
