import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as argon2 from 'argon2';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { openTestDataSource } from '../support/database';
import { newScratchDatabase } from '../support/test-environment';
import { DEMO_CLERK_PASSWORD, DEMO_CUSTOMER_PASSWORD } from '../../src/demo/demo-data';
import { ARGON2_OPTIONS, DEMO_TABLES, PasswordHasher, SchemaMissingError, assertSchema, runDemoLoad } from '../../src/demo/demo-loader';
import { parseCliArgs } from '../../src/demo/load-demo';
import { loadSyntheticCustomers } from '../../src/demo/synthetic-loader';
import { todayInHungary } from '../../src/web/format';

const root = join(__dirname, '..', '..');

type Snapshot = Record<string, { count: number; digest: string }>;

/** Columns that record when something happened rather than what the data is. */
const VOLATILE_COLUMNS = ['created_at', 'updated_at', 'last_login_at'];

/** Row count and a digest of the rows (ids included, volatile timestamps left out) of the given companies. */
async function snapshot(dataSource: DataSource, companyCodes: string[]): Promise<Snapshot> {
  const result: Snapshot = {};
  for (const table of DEMO_TABLES) {
    const scope = table === 'companies' ? 't.code = ANY($1)' : 't.company_id IN (SELECT id FROM companies WHERE code = ANY($1))';
    const [row]: Array<{ count: number; digest: string }> = await dataSource.query(
      `SELECT count(*)::int AS count, md5(coalesce(string_agg(r.row, ',' ORDER BY r.row), '')) AS digest
         FROM (SELECT (to_jsonb(t) - $2::text[])::text AS row FROM ${table} t WHERE ${scope}) r`,
      [companyCodes, VOLATILE_COLUMNS],
    );
    result[table] = row;
  }
  return result;
}

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/demo/load-demo.ts', ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Invoices of a company whose lines or VAT summary do not add up to the gross total (or that have none). */
async function unbalancedInvoices(dataSource: DataSource, companyCode: string): Promise<{ invoices: number; unbalanced: number }> {
  const [row] = await dataSource.query(
    `SELECT count(*)::int AS invoices,
            count(*) FILTER (WHERE coalesce(l.gross, -1) <> i.gross_total OR coalesce(v.gross, -1) <> i.gross_total
                              OR l.net <> v.net OR l.vat <> v.vat)::int AS unbalanced
       FROM invoices i JOIN companies co ON co.id = i.company_id
       LEFT JOIN LATERAL (SELECT sum(gross_amount) AS gross, sum(net_amount) AS net, sum(vat_amount) AS vat
                            FROM invoice_lines WHERE company_id = i.company_id AND invoice_id = i.id) l ON true
       LEFT JOIN LATERAL (SELECT sum(gross_amount) AS gross, sum(net_amount) AS net, sum(vat_amount) AS vat
                            FROM invoice_vat_summaries WHERE company_id = i.company_id AND invoice_id = i.id) v ON true
      WHERE co.code = $1`,
    [companyCode],
  );
  return row;
}

describe('demo and load data', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  describe('the demo companies', () => {
    let first: Snapshot;

    beforeAll(async () => {
      await runDemoLoad(dataSource);
      first = await snapshot(dataSource, ['minta', 'pelda']);
    });

    it('load twice into exactly the same rows, hashing nothing the second time', async () => {
      const hasher = new PasswordHasher();
      await runDemoLoad(dataSource, { hasher });
      expect(await snapshot(dataSource, ['minta', 'pelda'])).toEqual(first);
      expect(hasher.computed).toBe(0);
      expect(first.companies.count).toBe(2);
      expect(first.customer_accounts.count).toBe(1);
      expect(first.clerks.count).toBe(3);
    });

    it("give SU0044 the seed's 2014 invoices and their debts", async () => {
      const invoices = await dataSource.query(
        `SELECT i.invoice_number, i.type, to_char(i.due_on, 'YYYY-MM-DD') AS due_on, i.gross_total, i.open_amount, d.open_amount AS debt_open
           FROM invoices i
           JOIN customers c ON c.id = i.customer_id
           JOIN companies co ON co.id = i.company_id
           JOIN debt_items d ON d.invoice_id = i.id AND d.kind = 'invoice'
          WHERE co.code = 'minta' AND c.code = 'SU0044' AND i.period >= '2014-01-01' AND i.period < '2015-01-01'
          ORDER BY i.due_on DESC`,
      );
      expect(invoices).toEqual([
        {
          invoice_number: '2014S000572',
          type: 'district_heating',
          due_on: '2014-11-30',
          gross_total: 38837,
          open_amount: 38837,
          debt_open: 38837,
        },
        { invoice_number: '2014S000514', type: 'district_heating', due_on: '2014-10-31', gross_total: 25785, open_amount: 0, debt_open: 0 },
        { invoice_number: '2014S000460', type: 'district_heating', due_on: '2014-09-30', gross_total: 22592, open_amount: 0, debt_open: 0 },
        { invoice_number: '2014S000408', type: 'district_heating', due_on: '2014-08-31', gross_total: 25465, open_amount: 0, debt_open: 0 },
      ]);
      const [debts] = await dataSource.query(
        `SELECT count(*)::int AS items, sum(d.open_amount)::int AS open,
                count(*) FILTER (WHERE d.kind = 'interest' AND d.amount = 2254)::int AS interest,
                count(*) FILTER (WHERE d.kind = 'reminder_fee')::int AS reminder_fees
           FROM debt_items d JOIN customers c ON c.id = d.customer_id JOIN companies co ON co.id = d.company_id
          WHERE co.code = 'minta' AND c.code = 'SU0044'`,
      );
      expect(debts).toEqual({ items: 16, open: 38837 + 550 + 305 + 4 * 570, interest: 1, reminder_fees: 10 });
    });

    it('give every demo invoice lines and a VAT summary that add up to its total', async () => {
      expect(await unbalancedInvoices(dataSource, 'minta')).toEqual({ invoices: 5, unbalanced: 0 });
      expect(await unbalancedInvoices(dataSource, 'pelda')).toEqual({ invoices: 12, unbalanced: 0 });
      const [consumption] = await dataSource.query(
        `SELECT i.consumption::int AS consumption, i.consumption_unit FROM invoices i WHERE i.invoice_number = '2014S000514'`,
      );
      expect(consumption).toEqual({ consumption: 5, consumption_unit: 'm3' });
    });

    it("give meter 37461 the seed's six readings and a reading window containing today", async () => {
      const readings = await dataSource.query(
        `SELECT to_char(r.read_on, 'YYYY-MM-DD') AS read_on, r.value::int AS value, r.kind, r.billable, m.type, m.unit,
                to_char(m.calibrated_at, 'YYYY-MM-DD') AS calibrated_at
           FROM readings r JOIN meters m ON m.id = r.meter_id JOIN companies co ON co.id = r.company_id
          WHERE co.code = 'minta' AND m.serial_number = '37461'
          ORDER BY r.read_on`,
      );
      expect(readings.map((r: { read_on: string; value: number }) => [r.read_on, r.value])).toEqual([
        ['2014-05-31', 1056],
        ['2014-06-30', 1059],
        ['2014-07-31', 1063],
        ['2014-08-31', 1065],
        ['2014-09-30', 1068],
        ['2014-10-31', 1073],
      ]);
      expect(readings[0]).toMatchObject({ kind: 'normal', billable: true, type: 'hot_water', unit: 'm3', calibrated_at: '2007-11-30' });
      const windows = await dataSource.query(
        `SELECT count(*)::int AS count FROM reading_windows w JOIN meters m ON m.id = w.meter_id JOIN companies co ON co.id = w.company_id
          WHERE co.code = 'minta' AND m.serial_number = '37461' AND $1::date BETWEEN w.opens_on AND w.closes_on`,
        [todayInHungary()],
      );
      expect(windows).toEqual([{ count: 1 }]);
    });

    it('store argon2id hashes that verify the demo passwords', async () => {
      const [account] = await dataSource.query(
        `SELECT a.login_email, a.password_hash, a.email_verified_at IS NOT NULL AS verified
           FROM customer_accounts a JOIN customers c ON c.id = a.customer_id JOIN companies co ON co.id = a.company_id
          WHERE co.code = 'minta' AND c.code = 'SU0044'`,
      );
      expect(account).toMatchObject({ login_email: 'demo@ugyfelportal.local', verified: true });
      expect(account.password_hash).toMatch(/^\$argon2id\$/);
      expect(argon2.needsRehash(account.password_hash, ARGON2_OPTIONS)).toBe(false);
      expect(await argon2.verify(account.password_hash, DEMO_CUSTOMER_PASSWORD)).toBe(true);
      const [clerk] = await dataSource.query(
        `SELECT k.role, k.password_hash FROM clerks k JOIN companies co ON co.id = k.company_id
          WHERE co.code = 'minta' AND k.email = 'ugyintezo@minta.local'`,
      );
      expect(clerk.role).toBe('clerk');
      expect(await argon2.verify(clerk.password_hash, DEMO_CLERK_PASSWORD)).toBe(true);
    });

    it('leave Példa Víziközmű without portal accounts but with a recent invoice to register with', async () => {
      const [pelda] = await dataSource.query(
        `SELECT (SELECT count(*) FROM customer_accounts a WHERE a.company_id = co.id)::int AS accounts,
                (SELECT count(*) FROM invoices i WHERE i.company_id = co.id AND i.issued_on > $1::date - interval '12 months')::int AS recent
           FROM companies co WHERE co.code = 'pelda'`,
        [todayInHungary()],
      );
      expect(pelda.accounts).toBe(0);
      expect(pelda.recent).toBeGreaterThan(0);
    });

    it('replace a moved or duplicated reading window with the one of the current month', async () => {
      const [meter] = await dataSource.query(
        `SELECT m.company_id, m.id FROM meters m JOIN companies co ON co.id = m.company_id WHERE co.code = 'minta' AND m.serial_number = '37461'`,
      );
      await dataSource.query(
        `UPDATE reading_windows SET opens_on = '2099-02-01', closes_on = '2099-02-28' WHERE company_id = $1 AND meter_id = $2`,
        [meter.company_id, meter.id],
      );
      await dataSource.query(
        `INSERT INTO reading_windows (company_id, meter_id, opens_on, closes_on) VALUES ($1, $2, '2099-03-01', '2099-03-10')`,
        [meter.company_id, meter.id],
      );
      await runDemoLoad(dataSource);
      expect(await snapshot(dataSource, ['minta', 'pelda'])).toEqual(first);
    });
  });

  describe('the synthetic customers', () => {
    /** Removes the load company with everything of it, children first, so a test starts from none. */
    async function removeLoadCompany(): Promise<void> {
      for (const table of [...DEMO_TABLES].reverse()) {
        const scope = table === 'companies' ? `code = 'load'` : `company_id IN (SELECT id FROM companies WHERE code = 'load')`;
        await dataSource.query(`DELETE FROM ${table} WHERE ${scope}`);
      }
    }

    it('are 24 months each and a re-run adds only the missing ones', async () => {
      await removeLoadCompany();
      const created = await loadSyntheticCustomers(dataSource, { customers: 50, batchSize: 20 });
      expect(created).toMatchObject({ requested: 50, created: 50 });
      const [counts] = await dataSource.query(
        `SELECT (SELECT count(*) FROM customers c WHERE c.company_id = co.id)::int AS customers,
                (SELECT count(*) FROM invoices i WHERE i.company_id = co.id)::int AS invoices,
                (SELECT count(*) FROM readings r WHERE r.company_id = co.id)::int AS readings,
                (SELECT count(*) FROM debt_items d WHERE d.company_id = co.id AND d.kind = 'invoice')::int AS invoice_debts,
                (SELECT count(DISTINCT i.customer_id) FROM invoices i WHERE i.company_id = co.id)::int AS invoiced_customers,
                (SELECT count(*) FROM (SELECT 1 FROM invoices i WHERE i.company_id = co.id GROUP BY i.customer_id HAVING count(*) <> 24) x)::int
                  AS customers_without_24
           FROM companies co WHERE co.code = 'load'`,
      );
      expect(counts).toEqual({
        customers: 50,
        invoices: 50 * 24,
        readings: 50 * 24,
        invoice_debts: 50 * 24,
        invoiced_customers: 50,
        customers_without_24: 0,
      });

      const before = await snapshot(dataSource, ['load']);
      expect(await loadSyntheticCustomers(dataSource, { customers: 50, batchSize: 20 })).toMatchObject({ created: 0, rows: 0 });
      expect(await snapshot(dataSource, ['load'])).toEqual(before);

      expect(await loadSyntheticCustomers(dataSource, { customers: 55, batchSize: 20 })).toMatchObject({ created: 5 });
      const [after] = await dataSource.query(
        `SELECT count(*)::int AS customers, max(c.code) AS last FROM customers c JOIN companies co ON co.id = c.company_id WHERE co.code = 'load'`,
      );
      expect(after).toEqual({ customers: 55, last: 'LD000055' });
    });

    it('keep every meter rising and every invoice debt equal to its invoice', async () => {
      await removeLoadCompany();
      await loadSyntheticCustomers(dataSource, { customers: 55, batchSize: 20 });
      const [check] = await dataSource.query(
        `SELECT
           (SELECT count(*) FROM (SELECT r.value - lag(r.value) OVER (PARTITION BY r.meter_id ORDER BY r.read_on) AS step
                                    FROM readings r WHERE r.company_id = co.id) s WHERE s.step <= 0)::int AS falling,
           (SELECT count(*) FROM invoices i JOIN debt_items d ON d.invoice_id = i.id AND d.kind = 'invoice'
             WHERE i.company_id = co.id AND (d.amount <> i.gross_total OR d.open_amount <> i.open_amount))::int AS mismatched,
           (SELECT count(*) FROM invoices i WHERE i.company_id = co.id AND i.open_amount > 0)::int AS open_invoices
         FROM companies co WHERE co.code = 'load'`,
      );
      expect(check.falling).toBe(0);
      expect(check.mismatched).toBe(0);
      // The newest invoice of each of the 55 is open, and the one before it for every fifth customer.
      expect(check.open_invoices).toBe(55 + 11);
      expect(await unbalancedInvoices(dataSource, 'load')).toEqual({ invoices: 55 * 24, unbalanced: 0 });
    });
  });

  describe('the command line', () => {
    it('reads --customers and refuses anything else', () => {
      expect(parseCliArgs([])).toEqual({ customers: 0, help: false });
      expect(parseCliArgs(['--customers', '100000'])).toEqual({ customers: 100000, help: false });
      expect(() => parseCliArgs(['--customers=-3'])).toThrow('--customers must be a whole number');
      expect(() => parseCliArgs(['--customers', '1e3'])).toThrow('--customers must be a whole number');
      expect(() => parseCliArgs(['--users', '3'])).toThrow();
    });

    it('loads and prints the demo logins and the registration invoice', async () => {
      await loadSyntheticCustomers(dataSource, { customers: 3 });
      const result = await runCli(['--customers', '3']);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('customer code SU0044, e-mail demo@ugyfelportal.local, password Minta-Jelszo-2014');
      expect(result.stdout).toContain('ugyintezo@minta.local');
      expect(result.stdout).toMatch(/customer code PV0001, invoice number PV\d{6}-0001, gross amount [\d\u00a0]+\u00a0Ft/);
      expect(result.stdout).toContain('all 3 customers were already there');
    }, 60_000);

    it('refuses an unmigrated database and says how to migrate', async () => {
      const run = newScratchDatabase();
      const admin = new Client({ connectionString: run.adminDatabaseUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE "${run.databaseName}"`);
      try {
        const empty = await new DataSource({ type: 'postgres', url: run.databaseUrl }).initialize();
        await expect(assertSchema(empty.manager)).rejects.toBeInstanceOf(SchemaMissingError);
        await empty.destroy();
        const result = await runCli([], { DATABASE_URL: run.databaseUrl });
        expect(result.code).toBe(1);
        expect(result.stderr).toContain('npm run migration:run');
      } finally {
        await admin.query(`DROP DATABASE IF EXISTS "${run.databaseName}" WITH (FORCE)`);
        await admin.end();
      }
    }, 60_000);
  });
});
