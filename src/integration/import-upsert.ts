import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { QueryRunner } from 'typeorm';
import { invoicesIssuedOutboxSql } from '../billing/invoice-issued';
import { FIELDS, FieldType, ImportKind } from './import-kinds';
import { Cell, RejectedRow, StagedRow } from './import-rows';

/** What one import did: rows inserted, updated, left as they were (the same values), and refused with why. */
export interface ImportCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: RejectedRow[];
}

const STAGE = 'import_stage';
const IMPORT_WORK_MEM = '64MB';

const SQL_TYPE: Record<FieldType, string> = {
  text: 'text',
  ref: 'text',
  enum: 'text',
  int: 'integer',
  decimal: 'numeric',
  date: 'date',
  bool: 'boolean',
};

/** A reference to a row of another kind, by its externalRef, resolved to that row's id. */
interface Reference {
  field: string;
  stageColumn: string;
  table: string;
  what: string;
  idColumn: string;
  required: boolean;
}

/** A check that refuses staged rows whose reference leads to another customer's row. */
interface SameCustomer {
  field: string;
  stageColumn: string;
  table: string;
  what: string;
}

/** How a kind's staged rows become rows of its table. */
interface KindTable {
  table: string;
  /** The conflict target: the unique index on (company_id, external_ref). */
  conflict: string;
  /** Unique per company besides external_ref (customers' code…): held by another row, the row is refused. */
  naturalKey?: { column: string; field: string };
  references: Reference[];
  sameCustomer?: SameCustomer;
  touchesUpdatedAt: boolean;
}

const PARTIAL = '(company_id, external_ref) WHERE external_ref IS NOT NULL';
const customerRef: Reference = {
  field: 'customerRef',
  stageColumn: 'customer_ref',
  table: 'customers',
  what: 'customer',
  idColumn: 'customer_id',
  required: true,
};
const servicePointRef = (required: boolean): Reference => ({
  field: 'servicePointRef',
  stageColumn: 'service_point_ref',
  table: 'service_points',
  what: 'service point',
  idColumn: 'service_point_id',
  required,
});
const meterRef = (required: boolean): Reference => ({
  field: 'meterRef',
  stageColumn: 'meter_ref',
  table: 'meters',
  what: 'meter',
  idColumn: 'meter_id',
  required,
});

const TABLES: Readonly<Record<ImportKind, KindTable>> = {
  customers: {
    table: 'customers',
    conflict: PARTIAL,
    naturalKey: { column: 'code', field: 'code' },
    references: [],
    touchesUpdatedAt: true,
  },
  'service-points': { table: 'service_points', conflict: PARTIAL, references: [customerRef], touchesUpdatedAt: false },
  meters: {
    table: 'meters',
    conflict: PARTIAL,
    naturalKey: { column: 'serial_number', field: 'serialNumber' },
    references: [servicePointRef(true)],
    touchesUpdatedAt: false,
  },
  'reading-windows': { table: 'reading_windows', conflict: PARTIAL, references: [meterRef(false)], touchesUpdatedAt: false },
  invoices: {
    table: 'invoices',
    conflict: PARTIAL,
    naturalKey: { column: 'invoice_number', field: 'invoiceNumber' },
    references: [customerRef, servicePointRef(false)],
    sameCustomer: { field: 'servicePointRef', stageColumn: 'service_point_ref', table: 'service_points', what: 'service point' },
    touchesUpdatedAt: false,
  },
  'debt-items': {
    table: 'debt_items',
    conflict: PARTIAL,
    references: [
      customerRef,
      { field: 'invoiceRef', stageColumn: 'invoice_ref', table: 'invoices', what: 'invoice', idColumn: 'invoice_id', required: false },
    ],
    sameCustomer: { field: 'invoiceRef', stageColumn: 'invoice_ref', table: 'invoices', what: 'invoice' },
    touchesUpdatedAt: false,
  },
  readings: { table: 'readings', conflict: PARTIAL, references: [meterRef(true)], touchesUpdatedAt: false },
  payments: { table: 'received_payments', conflict: '(company_id, external_ref)', references: [customerRef], touchesUpdatedAt: true },
};

/** The invoice parts staged beside its columns: lines and VAT summary as JSON arrays, the PDF as bytes. */
const INVOICE_PARTS: ReadonlyArray<[string, string]> = [
  ['lines', 'jsonb'],
  ['vat_summary', 'jsonb'],
  ['pdf', 'bytea'],
  ['content_hash', 'text'],
];

/** The staging table's columns of a kind, in COPY order: the row's position first. */
export function stageColumns(kind: ImportKind): Array<[string, string]> {
  const fields = FIELDS[kind].map((field): [string, string] => [field.column, SQL_TYPE[field.type]]);
  return [['idx', 'integer'], ...fields, ...(kind === 'invoices' ? INVOICE_PARTS : [])];
}

/** The staged columns the checks and the upsert join on. */
function analyzedColumns(kind: ImportKind): string[] {
  const spec = TABLES[kind];
  return [
    'idx',
    'external_ref',
    ...(spec.naturalKey ? [spec.naturalKey.column] : []),
    ...spec.references.map((reference) => reference.stageColumn),
  ];
}

/** The columns of the kind's table the upsert writes (external_ref and references resolved to ids included). */
function targetColumns(kind: ImportKind): string[] {
  const refColumns = new Set(['external_ref', ...TABLES[kind].references.map((reference) => reference.stageColumn)]);
  const plain = FIELDS[kind].map((field) => field.column).filter((column) => !refColumns.has(column));
  return [...plain, ...(kind === 'invoices' ? ['content_hash'] : []), ...TABLES[kind].references.map((reference) => reference.idColumn)];
}

const NEEDS_ESCAPE = /[\\\n\r\t]/;

/** One value in COPY's text format. */
export function copyText(cell: Cell): string {
  if (cell === null) return '\\N';
  if (Buffer.isBuffer(cell)) return `\\\\x${cell.toString('hex')}`;
  if (typeof cell === 'boolean') return cell ? 't' : 'f';
  if (typeof cell === 'number') return String(cell);
  if (!NEEDS_ESCAPE.test(cell)) return cell;
  return cell.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

function* copyLines(rows: readonly StagedRow[], columns: ReadonlyArray<[string, string]>): Generator<string> {
  const names = columns.slice(1).map(([name]) => name);
  let text = '';
  for (const row of rows) {
    text += String(row.index);
    for (const name of names) text += `\t${copyText(row.cells[name] ?? null)}`;
    text += '\n';
    if (text.length > 1 << 16) {
      yield text;
      text = '';
    }
  }
  if (text.length > 0) yield text;
}

type StageCheck = { reason: string; sql: string };

/**
 * Ends an EXISTS over the kind's own table so that it stays one index probe per staged row
 * (OFFSET keeps the planner from turning it into a join): as a join it hashed all the
 * company's rows of the table for every chunk, a cost growing with the table (a million
 * invoices read 50 times over in one import of a million).
 */
const PROBE_EACH = 'OFFSET 0';

/** Checks within the batch itself, run first; each refuses the rows it returns. */
function batchChecks(kind: ImportKind): StageCheck[] {
  const spec = TABLES[kind];
  const checks = [
    {
      reason: 'externalRef: appears earlier in this batch',
      sql: `DELETE FROM ${STAGE} s USING ${STAGE} d WHERE d.external_ref = s.external_ref AND d.idx < s.idx RETURNING s.idx`,
    },
  ];
  if (spec.naturalKey) {
    const { column, field } = spec.naturalKey;
    checks.push({
      reason: `${field}: appears earlier in this batch with another externalRef`,
      sql: `DELETE FROM ${STAGE} s USING ${STAGE} d WHERE d.${column} = s.${column} AND d.idx < s.idx RETURNING s.idx`,
    });
  }
  return checks;
}

/**
 * Removes the staged rows equal to the rows they would update (references compared by the
 * referenced row's externalRef, an invoice's lines, VAT summary and PDF by its content hash),
 * so a re-sent row costs one index probe: no reference checks, no upsert, no row lock.
 * An equal row passed the checks when it went in and its references cannot have vanished
 * (foreign keys); only an invoice whose service point has since moved to another customer
 * is now left as it is where the checks would refuse it, and either way nothing is written.
 */
function unchangedSql(kind: ImportKind): string {
  const spec = TABLES[kind];
  const refByColumn = new Map(spec.references.map((reference) => [reference.idColumn, reference]));
  const pairs = targetColumns(kind).map((column) => {
    const reference = refByColumn.get(column);
    return reference
      ? [
          `(SELECT r.external_ref FROM ${reference.table} r WHERE r.company_id = t.company_id AND r.id = t.${column})`,
          `s.${reference.stageColumn}`,
        ]
      : [`t.${column}`, `s.${column}`];
  });
  return `DELETE FROM ${STAGE} s WHERE EXISTS (
            SELECT FROM ${spec.table} t
             WHERE t.company_id = $1 AND t.external_ref = s.external_ref
               AND (${pairs.map(([current]) => current).join(', ')}) IS NOT DISTINCT FROM (${pairs.map(([, staged]) => staged).join(', ')})
            ${PROBE_EACH})
          RETURNING s.idx`;
}

/** Checks against the company's rows, run on the rows left after the unchanged ones; each refuses the rows it returns. */
function tableChecks(kind: ImportKind): StageCheck[] {
  const spec = TABLES[kind];
  const checks: StageCheck[] = [];
  for (const reference of spec.references) {
    checks.push({
      reason: `${reference.field}: no ${reference.what} with this externalRef in your company`,
      sql: `DELETE FROM ${STAGE} s WHERE s.${reference.stageColumn} IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM ${reference.table} r WHERE r.company_id = $1 AND r.external_ref = s.${reference.stageColumn})
            RETURNING s.idx`,
    });
  }
  if (spec.naturalKey) {
    const { column, field } = spec.naturalKey;
    checks.push({
      reason: `${field}: already belongs to another row (another externalRef)`,
      sql: `DELETE FROM ${STAGE} s WHERE EXISTS (
              SELECT FROM ${spec.table} t
               WHERE t.company_id = $1 AND t.${column} = s.${column} AND t.external_ref IS DISTINCT FROM s.external_ref
              ${PROBE_EACH})
            RETURNING s.idx`,
    });
  }
  if (spec.sameCustomer) {
    const { field, stageColumn, table, what } = spec.sameCustomer;
    checks.push({
      reason: `${field}: the ${what} belongs to another customer`,
      sql: `DELETE FROM ${STAGE} s USING ${table} r, customers c
             WHERE r.company_id = $1 AND r.external_ref = s.${stageColumn}
               AND c.company_id = $1 AND c.external_ref = s.customer_ref AND r.customer_id <> c.id
            RETURNING s.idx`,
    });
  }
  return checks;
}

const LINE_RECORD = `l(line_no smallint, description text, quantity numeric, unit text, unit_price numeric, vat_rate smallint,
  net_amount integer, vat_amount integer, gross_amount integer)`;
const VAT_RECORD = `v(vat_rate smallint, net_amount integer, vat_amount integer, gross_amount integer)`;
const LINE_COLUMNS = 'line_no, description, quantity, unit, unit_price, vat_rate, net_amount, vat_amount, gross_amount';
const VAT_COLUMNS = 'vat_rate, net_amount, vat_amount, gross_amount';

/**
 * The lines, VAT summary and PDF of the invoices the upsert inserted, and their "invoice
 * issued" event, written by the same statement (a new invoice has none to replace),
 * matched to their staged row by external_ref.
 */
const NEW_INVOICE_PARTS = `,
    new_invoices AS (
      SELECT u.id, s.lines, s.vat_summary, s.pdf FROM upserted u JOIN ${STAGE} s ON s.external_ref = u.external_ref WHERE u.inserted
    ),
    new_lines AS (
      INSERT INTO invoice_lines (company_id, invoice_id, ${LINE_COLUMNS})
      SELECT $1, n.id, l.* FROM new_invoices n CROSS JOIN LATERAL jsonb_to_recordset(n.lines) AS ${LINE_RECORD}
    ),
    new_vat AS (
      INSERT INTO invoice_vat_summaries (company_id, invoice_id, ${VAT_COLUMNS})
      SELECT $1, n.id, v.* FROM new_invoices n CROSS JOIN LATERAL jsonb_to_recordset(n.vat_summary) AS ${VAT_RECORD}
    ),
    new_documents AS (
      INSERT INTO invoice_documents (company_id, invoice_id, pdf) SELECT $1, n.id, n.pdf FROM new_invoices n WHERE n.pdf IS NOT NULL
    ),
    issued AS (
      ${invoicesIssuedOutboxSql('(SELECT $1::integer AS company_id, n.id FROM new_invoices n)')}
    )`;

/** The one set-based upsert of a kind from the staging table: inserts new rows, updates changed ones, leaves equal ones. */
export function upsertSql(kind: ImportKind): string {
  const spec = TABLES[kind];
  const columns = targetColumns(kind);
  const refByColumn = new Map(spec.references.map((reference, i) => [reference.idColumn, `r${i}.id`]));
  const select = columns.map((column) => refByColumn.get(column) ?? `s.${column}`);
  const joins = spec.references.map(
    (reference, i) =>
      `${reference.required ? 'JOIN' : 'LEFT JOIN'} ${reference.table} r${i} ON r${i}.company_id = $1 AND r${i}.external_ref = s.${reference.stageColumn}`,
  );
  const sets = [...columns.map((column) => `${column} = excluded.${column}`), ...(spec.touchesUpdatedAt ? ['updated_at = now()'] : [])];
  return `
    WITH upserted AS (
      INSERT INTO ${spec.table} AS t (company_id, external_ref, ${columns.join(', ')})
      SELECT $1, s.external_ref, ${select.join(', ')}
        FROM ${STAGE} s
        ${joins.join('\n        ')}
      ON CONFLICT ${spec.conflict}
      DO UPDATE SET ${sets.join(', ')}
       WHERE (${columns.map((column) => `t.${column}`).join(', ')}) IS DISTINCT FROM (${columns.map((column) => `excluded.${column}`).join(', ')})
      RETURNING t.id, t.external_ref, (t.xmax = 0) AS inserted
    )${kind === 'invoices' ? NEW_INVOICE_PARTS : ''}
    SELECT count(*) FILTER (WHERE inserted)::int AS inserted,
           count(*) FILTER (WHERE NOT inserted)::int AS updated,
           coalesce(array_agg(id) FILTER (WHERE NOT inserted), '{}') AS updated_ids
      FROM upserted`;
}

const INVOICE_OF_STAGE = `FROM ${STAGE} s
  JOIN invoices i ON i.company_id = $1 AND i.external_ref = s.external_ref
  JOIN unnest($2::bigint[]) AS changed(id) ON changed.id = i.id`;

/** Replaces the lines, VAT summary and PDF of the invoices the upsert changed (usually few: most imports bring new ones). */
async function replaceInvoiceParts(runner: QueryRunner, companyId: number, updatedIds: string[]): Promise<void> {
  if (updatedIds.length === 0) return;
  for (const table of ['invoice_lines', 'invoice_vat_summaries', 'invoice_documents']) {
    await runner.query(`DELETE FROM ${table} WHERE company_id = $1 AND invoice_id IN (SELECT unnest($2::bigint[]))`, [
      companyId,
      updatedIds,
    ]);
  }
  await runner.query(
    `INSERT INTO invoice_lines (company_id, invoice_id, ${LINE_COLUMNS})
     SELECT $1, i.id, l.* ${INVOICE_OF_STAGE} CROSS JOIN LATERAL jsonb_to_recordset(s.lines) AS ${LINE_RECORD}`,
    [companyId, updatedIds],
  );
  await runner.query(
    `INSERT INTO invoice_vat_summaries (company_id, invoice_id, ${VAT_COLUMNS})
     SELECT $1, i.id, v.* ${INVOICE_OF_STAGE} CROSS JOIN LATERAL jsonb_to_recordset(s.vat_summary) AS ${VAT_RECORD}`,
    [companyId, updatedIds],
  );
  await runner.query(
    `INSERT INTO invoice_documents (company_id, invoice_id, pdf) SELECT $1, i.id, s.pdf ${INVOICE_OF_STAGE} WHERE s.pdf IS NOT NULL`,
    [companyId, updatedIds],
  );
}

function sorted(rejected: RejectedRow[]): RejectedRow[] {
  return rejected.sort((a, b) => a.index - b.index);
}

/**
 * Applies checked rows of one kind for one company, in the caller's transaction: COPY
 * into a staging table that lives until the commit, refuse the rows whose references or
 * natural keys do not fit, then one set-based upsert by (company_id, external_ref) that
 * touches only rows whose values differ, so the same batch sent again changes nothing.
 * New invoices raise the "invoice issued" event in the same transaction. The API and the
 * batch importer both import through here.
 */
export async function importStaged(
  runner: QueryRunner,
  companyId: number,
  kind: ImportKind,
  rows: readonly StagedRow[],
): Promise<ImportCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, unchanged: 0, rejected: [] };
  const columns = stageColumns(kind);
  // One import of a kind per company at a time: two racing batches could otherwise both pass
  // the natural-key checks (an invoice number) and fail the upsert on the unique index.
  await runner.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`integration-import:${kind}:${companyId}`]);
  // For this transaction only: the hash joins over the staged rows (their invoice lines as JSON
  // included) spilled to temporary files at the server's default work_mem (about 6 a chunk of
  // 20,000 invoices), and the statements' row-count costs made each one pay a JIT compilation
  // that row-at-a-time writes do not earn back.
  await runner.query(`SET LOCAL work_mem = '${IMPORT_WORK_MEM}'`);
  await runner.query(`SET LOCAL jit = off`);
  await runner.query(`DROP TABLE IF EXISTS pg_temp.${STAGE}`);
  await runner.query(`CREATE TEMP TABLE ${STAGE} (${columns.map(([name, type]) => `${name} ${type}`).join(', ')}) ON COMMIT DROP`);
  const client = (await runner.connect()) as PoolClient;
  const copy = client.query(copyFrom(`COPY ${STAGE} (${columns.map(([name]) => name).join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(copyLines(rows, columns)), copy);
  // The planner needs the staged row count and key spread; the JSON columns would only make ANALYZE slow.
  if (rows.length > 1000) await runner.query(`ANALYZE ${STAGE} (${analyzedColumns(kind).join(', ')})`);

  const rejected: RejectedRow[] = [];
  const refuse = async (checks: StageCheck[]) => {
    for (const check of checks) {
      const refused = (await runner.query(check.sql, check.sql.includes('$1') ? [companyId] : [])) as [Array<{ idx: number }>, number];
      for (const { idx } of refused[0]) rejected.push({ index: idx, reason: check.reason });
    }
  };
  await refuse(batchChecks(kind));
  const [unchanged] = (await runner.query(unchangedSql(kind), [companyId])) as [unknown[], number];
  if (unchanged.length === rows.length - rejected.length)
    return { inserted: 0, updated: 0, unchanged: unchanged.length, rejected: sorted(rejected) };
  await refuse(tableChecks(kind));
  const [result] = (await runner.query(upsertSql(kind), [companyId])) as Array<{
    inserted: number;
    updated: number;
    updated_ids: string[];
  }>;
  if (kind === 'invoices') await replaceInvoiceParts(runner, companyId, result.updated_ids);
  return {
    inserted: result.inserted,
    updated: result.updated,
    unchanged: rows.length - rejected.length - result.inserted - result.updated,
    rejected: sorted(rejected),
  };
}
