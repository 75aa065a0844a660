/**
 * The batch importer: N invoices (default 1,000,000), two lines each, for N/10 customers
 * with a service point each, from a gzip-compressed JSON Lines file generated first, into a
 * scratch database (created, migrated, dropped at the end). Prints the importer's rows/s
 * for the first import (all inserted) and the same file again (all unchanged), beside a
 * plain counterpart that loads the same file with no checks and no upsert: COPY of the raw
 * JSON into a staging table and plain INSERT … SELECT of the invoices and their lines.
 *
 *   npx ts-node --transpile-only bench/import.ts [N=1000000] [--chunk=20000] [--keep]
 *
 * Same environment variables as bench/readings.ts (TEST_ADMIN_DATABASE_URL).
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { importFile } from '../src/integration/import-file';
import { ImportKind } from '../src/integration/import-kinds';
import { benchArgs, elapsed, withScratchDatabase } from './bench-kit';

const INVOICES_PER_CUSTOMER = 10;

function* customerRows(customers: number): Generator<string> {
  for (let c = 1; c <= customers; c += 1) {
    const code = `BI${String(c).padStart(7, '0')}`;
    yield `${JSON.stringify({
      externalRef: `C-${c}`,
      code,
      name: `Bench Ügyfél ${c}`,
      postcode: '6600',
      town: 'Minta település',
      address: `Fő utca ${c}.`,
      paymentMethod: 'postal_order',
    })}\n`;
  }
}

function* servicePointRows(customers: number): Generator<string> {
  for (let c = 1; c <= customers; c += 1) {
    yield `${JSON.stringify({ externalRef: `SP-${c}`, customerRef: `C-${c}`, postcode: '6600', town: 'Minta település', address: `Fő utca ${c}.` })}\n`;
  }
}

/** The i-th invoice: 12 months back from 2026-10, for customer i / 10, with a fixed charge and a consumption line at 5% VAT. */
function invoiceRow(i: number): string {
  const customer = Math.floor(i / INVOICES_PER_CUSTOMER) + 1;
  const month = (i % 12) + 1;
  const year = 2026 - Math.floor((i % INVOICES_PER_CUSTOMER) / 12);
  const period = `${year}-${String(month).padStart(2, '0')}-01`;
  const base = 2000 + (i % 500);
  const heat = 8000 + (i % 3000);
  const lines = [
    { description: 'Alapdíj', quantity: '1', unit: 'hó', unitPrice: base, vatRate: 5, netAmount: base, vatAmount: Math.round(base * 0.05) },
    {
      description: 'Hődíj',
      quantity: '3.125',
      unit: 'GJ',
      unitPrice: '3200.0000',
      vatRate: 5,
      netAmount: heat,
      vatAmount: Math.round(heat * 0.05),
    },
  ].map((line) => ({ ...line, grossAmount: line.netAmount + line.vatAmount }));
  const gross = lines[0].grossAmount + lines[1].grossAmount;
  return `${JSON.stringify({
    externalRef: `INV-${i}`,
    invoiceNumber: `BI-${String(i).padStart(8, '0')}`,
    customerRef: `C-${customer}`,
    servicePointRef: `SP-${customer}`,
    type: 'district_heating',
    period,
    issuedOn: `${year}-${String(month).padStart(2, '0')}-05`,
    dueOn: `${year}-${String(month).padStart(2, '0')}-20`,
    grossTotal: gross,
    openAmount: i % 4 === 0 ? gross : 0,
    consumption: '3.125',
    consumptionUnit: 'GJ',
    lines,
  })}\n`;
}

function* invoiceRows(count: number): Generator<string> {
  let batch = '';
  for (let i = 0; i < count; i += 1) {
    batch += invoiceRow(i);
    if (batch.length > 1 << 16) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}

async function writeGzip(path: string, rows: Iterable<string>): Promise<void> {
  await pipeline(Readable.from(rows), createGzip({ level: 1 }), createWriteStream(path));
}

async function importKind(dataSource: DataSource, companyId: number, kind: ImportKind, path: string, chunk: number) {
  const started = performance.now();
  const result = await importFile(dataSource, { companyId, kind, path, format: 'jsonl', chunkSize: chunk });
  const seconds = (performance.now() - started) / 1000;
  return { ...result, seconds };
}

/** The plain counterpart: the same file, COPYed raw and inserted with no checks, no upsert, no hashes, no events. */
async function plainLoad(dataSource: DataSource, companyId: number, path: string): Promise<number> {
  const runner = dataSource.createQueryRunner();
  const started = performance.now();
  try {
    await runner.startTransaction();
    await runner.query(`CREATE TEMP TABLE plain_stage (doc jsonb) ON COMMIT DROP`);
    const client = (await runner.connect()) as PoolClient;
    const { createReadStream } = await import('node:fs');
    const { createGunzip } = await import('node:zlib');
    const { Transform } = await import('node:stream');
    // COPY's text format needs backslashes doubled; JSON Lines is otherwise one value a line.
    const escape = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        done(null, chunk.toString('utf8').replace(/\\/g, '\\\\'));
      },
    });
    await pipeline(createReadStream(path), createGunzip(), escape, client.query(copyFrom(`COPY plain_stage (doc) FROM STDIN`)));
    await runner.query(
      `INSERT INTO invoices (company_id, customer_id, service_point_id, invoice_number, type, period, issued_on, due_on,
                             gross_total, open_amount, consumption, consumption_unit, external_ref)
       SELECT $1, c.id, sp.id, d->>'invoiceNumber' || '-P', d->>'type', (d->>'period')::date, (d->>'issuedOn')::date, (d->>'dueOn')::date,
              (d->>'grossTotal')::int, (d->>'openAmount')::int, (d->>'consumption')::numeric, d->>'consumptionUnit', (d->>'externalRef') || '-P'
         FROM (SELECT doc AS d FROM plain_stage) staged
         JOIN customers c ON c.company_id = $1 AND c.external_ref = d->>'customerRef'
         JOIN service_points sp ON sp.company_id = $1 AND sp.external_ref = d->>'servicePointRef'`,
      [companyId],
    );
    await runner.query(
      `INSERT INTO invoice_lines (company_id, invoice_id, line_no, description, quantity, unit, unit_price, vat_rate, net_amount, vat_amount, gross_amount)
       SELECT $1, i.id, l.n, l.v->>'description', (l.v->>'quantity')::numeric, l.v->>'unit', (l.v->>'unitPrice')::numeric,
              (l.v->>'vatRate')::int, (l.v->>'netAmount')::int, (l.v->>'vatAmount')::int, (l.v->>'grossAmount')::int
         FROM plain_stage
         JOIN invoices i ON i.company_id = $1 AND i.external_ref = (doc->>'externalRef') || '-P'
         CROSS JOIN LATERAL jsonb_array_elements(doc->'lines') WITH ORDINALITY AS l(v, n)`,
      [companyId],
    );
    await runner.commitTransaction();
  } finally {
    await runner.release();
  }
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const { count, keep, option } = benchArgs(1_000_000);
  const chunk = option('chunk', 20_000);
  const customers = Math.ceil(count / INVOICES_PER_CUSTOMER);
  const folder = await mkdtemp(join(tmpdir(), 'bench-import-'));
  try {
    let started = performance.now();
    const files = {
      customers: join(folder, 'customers.jsonl.gz'),
      servicePoints: join(folder, 'sp.jsonl.gz'),
      invoices: join(folder, 'invoices.jsonl.gz'),
    };
    await writeGzip(files.customers, customerRows(customers));
    await writeGzip(files.servicePoints, servicePointRows(customers));
    await writeGzip(files.invoices, invoiceRows(count));
    const size = (await stat(files.invoices)).size;
    process.stdout.write(
      `generated ${count} invoices (2 lines each) for ${customers} customers: ${(size / 1e6).toFixed(1)} MB gzip, in ${elapsed(started)} s\n`,
    );

    await withScratchDatabase('import', { poolSize: 3, keep }, async (dataSource) => {
      const [company] = (await dataSource.query(
        `INSERT INTO companies (code, name) VALUES ('bench-import', 'Bench import') RETURNING id`,
      )) as Array<{
        id: number;
      }>;
      started = performance.now();
      await importKind(dataSource, company.id, 'customers', files.customers, chunk);
      await importKind(dataSource, company.id, 'service-points', files.servicePoints, chunk);
      process.stdout.write(`imported ${customers} customers and service points in ${elapsed(started)} s\n`);

      const load = () => loadavg()[0].toFixed(1);
      const first = await importKind(dataSource, company.id, 'invoices', files.invoices, chunk);
      process.stdout.write(
        `importer, first run:  ${first.rows} invoices in ${first.seconds.toFixed(1)} s = ${Math.round(first.rows / first.seconds)} rows/s ` +
          `(${first.inserted} inserted, ${first.rejected} refused; load average ${load()})\n`,
      );
      const again = await importKind(dataSource, company.id, 'invoices', files.invoices, chunk);
      process.stdout.write(
        `importer, same file:  ${again.rows} invoices in ${again.seconds.toFixed(1)} s = ${Math.round(again.rows / again.seconds)} rows/s ` +
          `(${again.unchanged} unchanged; load average ${load()})\n`,
      );
      const plainSeconds = await plainLoad(dataSource, company.id, files.invoices);
      process.stdout.write(
        `plain COPY + INSERT: ${count} invoices in ${plainSeconds.toFixed(1)} s = ${Math.round(count / plainSeconds)} rows/s (load average ${load()})\n` +
          `importer's share of the plain load: ${Math.round((plainSeconds / first.seconds) * 100)} %\n`,
      );
    });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
