import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, TestCompany } from '../support/clerk-factories';
import { openTestDataSource } from '../support/database';

const root = resolve(__dirname, '../..');

function runImport(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/integration/import-cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

const INVOICE_HEADER =
  'externalRef,invoiceNumber,customerRef,type,period,issuedOn,dueOn,grossTotal,openAmount,' +
  'line.description,line.quantity,line.unit,line.unitPrice,line.vatRate,line.netAmount,line.vatAmount,line.grossAmount';

/** `npm run import`: a gzip CSV of invoices, one CSV row per line, a malformed invoice reported by line number. */
describe('the batch importer', () => {
  let dataSource: DataSource;
  let company: TestCompany;
  let folder: string;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    company = await createClerkTestCompany(dataSource);
    folder = await mkdtemp(join(tmpdir(), 'import-cli-'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
    await dataSource?.destroy();
  });

  it('imports customers from JSON Lines, then invoices from a gzip CSV; a malformed row is reported with its line and the rest goes in', async () => {
    const customers = join(folder, 'customers.jsonl');
    await writeFile(
      customers,
      [
        JSON.stringify({
          externalRef: 'C-1',
          code: 'CLI001',
          name: 'Parancssor Péter',
          postcode: '1111',
          town: 'Budapest',
          address: 'A u. 1.',
          paymentMethod: 'card',
        }),
        '',
        '{"externalRef": "C-2", broken',
        JSON.stringify({
          externalRef: 'C-3',
          code: 'CLI003',
          name: 'Parancssor Panni',
          postcode: '1111',
          town: 'Budapest',
          address: 'B u. 2.',
          paymentMethod: 'card',
        }),
      ].join('\n'),
    );
    const first = await runImport(['--company', company.code, '--kind', 'customers', customers]);
    expect(first.stderr).toContain('line 3: not valid JSON');
    expect(first.stdout).toContain('2 inserted, 0 updated, 0 unchanged, 1 refused');
    expect(first.code).toBe(3);

    const csv = [
      INVOICE_HEADER,
      'INV-1,CLI-1,C-1,water,2026-10-01,2026-11-02,2026-11-20,1270,1270,Alapdíj,1,hó,200,27,200,54,254',
      'INV-1,CLI-1,C-1,water,2026-10-01,2026-11-02,2026-11-20,1270,1270,"Vízdíj, m3",2.5,m3,320,27,800,216,1016',
      'INV-2,CLI-2,C-1,water,2026-10-01,2026-11-02,2026-10-20,1270,1270,Alapdíj,1,hó,1000,27,1000,270,1270',
      'INV-3,CLI-3,C-3,water,2026-10-01,2026-11-02,2026-11-20,1270,0,Alapdíj,1,hó,1000,27,1000,270,1270',
      'INV-4,CLI-4,C-NONE,water,2026-10-01,2026-11-02,2026-11-20,1270,0,Alapdíj,1,hó,1000,27,1000,270,1270',
    ].join('\n');
    const file = join(folder, 'invoices.csv.gz');
    await writeFile(file, gzipSync(Buffer.from(`${csv}\n`)));

    const imported = await runImport(['--company', company.code, '--kind', 'invoices', file]);
    expect(imported.stderr).toContain('line 4: dueOn: must not be before issuedOn');
    expect(imported.stderr).toContain('line 6: customerRef: no customer with this externalRef in your company');
    expect(imported.stdout).toContain('2 inserted, 0 updated, 0 unchanged, 2 refused');
    expect(imported.code).toBe(3);
    const invoices = await dataSource.query(
      `SELECT i.external_ref, i.gross_total, count(l.*)::int AS lines
         FROM invoices i LEFT JOIN invoice_lines l ON l.company_id = i.company_id AND l.invoice_id = i.id
        WHERE i.company_id = $1 GROUP BY i.id ORDER BY i.external_ref`,
      [company.id],
    );
    expect(invoices).toEqual([
      { external_ref: 'INV-1', gross_total: 1270, lines: 2 },
      { external_ref: 'INV-3', gross_total: 1270, lines: 1 },
    ]);
    const [line] = await dataSource.query(
      `SELECT l.description, l.quantity FROM invoice_lines l JOIN invoices i ON i.company_id = l.company_id AND i.id = l.invoice_id
        WHERE i.company_id = $1 AND i.external_ref = 'INV-1' AND l.line_no = 2`,
      [company.id],
    );
    expect(line).toEqual({ description: 'Vízdíj, m3', quantity: '2.500' });

    const again = await runImport(['--company', company.code, '--kind', 'invoices', file]);
    expect(again.stdout).toContain('0 inserted, 0 updated, 2 unchanged, 2 refused');
  });

  it('refuses a bad command line with its usage and an unknown company', async () => {
    const usage = await runImport(['--company', company.code, '--kind', 'bananas', 'x.csv']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--kind must be one of customers');
    const unknown = await runImport(['--company', 'no-such-company', '--kind', 'customers', join(folder, 'customers.jsonl')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no company with the code "no-such-company"');
  });
});
