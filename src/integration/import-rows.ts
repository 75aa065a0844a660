import { createHash } from 'node:crypto';
import { vatSummary, VatSummaryRow } from '../billing/vat-summary';
import {
  FIELDS,
  FieldSpec,
  ImportKind,
  INVOICE_EXTRA_KEYS,
  INVOICE_LINE_FIELDS,
  MAX_INVOICE_LINES,
  MAX_PDF_BYTES,
  VAT_SUMMARY_FIELDS,
} from './import-kinds';

/** A value ready for a staging column; decimals stay text so no digit is lost to floating point. */
export type Cell = string | number | boolean | null | Buffer;

/** A row that passed every check: its position (request index or file line) and its staging columns. */
export interface StagedRow {
  index: number;
  cells: Record<string, Cell>;
}

/** A row refused whole, with its position and why. */
export interface RejectedRow {
  index: number;
  reason: string;
}

export type RowCheck = { ok: true; row: StagedRow } | { ok: false; rejected: RejectedRow };

type FieldResult = { value: Cell } | { problem: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INTEGER = /^-?\d{1,10}$/;
const DECIMAL = /^-?\d{1,12}(\.\d+)?$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A real day between 1900 and 2200 (the importer checks a million of these: arithmetic, no Date). */
function isCalendarDay(value: string): boolean {
  const match = DATE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1900 || year > 2200 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

/** Checks one field's value against its spec; text length counts characters as PostgreSQL does. */
export function checkField(spec: FieldSpec, value: unknown): FieldResult {
  if (isAbsent(value)) {
    if (spec.required) return { problem: 'is required' };
    return { value: spec.fallback ?? null };
  }
  switch (spec.type) {
    case 'text':
    case 'ref': {
      if (typeof value !== 'string') return { problem: 'must be a string' };
      if (value.includes('\u0000')) return { problem: 'must not contain a NUL character' };
      if (spec.pattern && !spec.pattern.test(value)) return { problem: `must be ${spec.patternHint ?? `like ${String(spec.pattern)}`}` };
      if (spec.min !== undefined && spec.max !== undefined && !lengthBetween(value, spec.min, spec.max)) {
        return { problem: `must be ${spec.min}–${spec.max} characters` };
      }
      return { value };
    }
    case 'enum':
      return typeof value === 'string' && spec.values?.includes(value)
        ? { value }
        : { problem: `must be one of ${spec.values?.join(', ')}` };
    case 'date':
      return typeof value === 'string' && isCalendarDay(value) ? { value } : { problem: 'must be a date (YYYY-MM-DD)' };
    case 'bool':
      if (value === true || value === 'true' || value === '1') return { value: true };
      if (value === false || value === 'false' || value === '0') return { value: false };
      return { problem: 'must be true or false' };
    case 'int': {
      const number = typeof value === 'number' ? value : typeof value === 'string' && INTEGER.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(number)) return { problem: 'must be a whole number' };
      return inRange(spec, number) ? { value: number } : { problem: `must be between ${spec.min} and ${spec.max}` };
    }
    case 'decimal': {
      const textValue = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
      if (typeof textValue !== 'string' || !DECIMAL.test(textValue)) return { problem: 'must be a number' };
      const places = textValue.split('.')[1]?.length ?? 0;
      if (places > (spec.scale ?? 0)) return { problem: `must have at most ${spec.scale ?? 0} decimal places` };
      return inRange(spec, Number(textValue)) ? { value: textValue } : { problem: `must be between ${spec.min} and ${spec.max}` };
    }
  }
}

/** Whether a string has min–max characters as PostgreSQL counts them (code points), counting them only when UTF-16 units cannot tell. */
function lengthBetween(value: string, min: number, max: number): boolean {
  if (value.length >= min * 2 && value.length <= max) return true;
  const length = [...value].length;
  return length >= min && length <= max;
}

function inRange(spec: FieldSpec, value: number): boolean {
  return (spec.min === undefined || value >= spec.min) && (spec.max === undefined || value <= spec.max);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const knownKeySets = new WeakMap<readonly FieldSpec[], Set<string>>();

/** The field names of a spec list (and the extra keys its kind allows), built once per list. */
function knownKeys(specs: readonly FieldSpec[], extraKeys: readonly string[]): Set<string> {
  let known = knownKeySets.get(specs);
  if (!known) {
    known = new Set([...specs.map((spec) => spec.key), ...extraKeys]);
    knownKeySets.set(specs, known);
  }
  return known;
}

/** Checks every field of an object; problems are `key: what is wrong`, under `prefix` for nested rows. */
function checkFields(
  specs: readonly FieldSpec[],
  raw: Record<string, unknown>,
  prefix: string,
  extraKeys: readonly string[] = [],
): { cells: Record<string, Cell>; problems: string[] } {
  const cells: Record<string, Cell> = {};
  const problems: string[] = [];
  const known = knownKeys(specs, extraKeys);
  for (const key of Object.keys(raw)) if (!known.has(key)) problems.push(`${prefix}${key}: is not a field of this kind`);
  for (const spec of specs) {
    const result = checkField(spec, raw[spec.key]);
    if ('problem' in result) problems.push(`${prefix}${spec.key}: ${result.problem}`);
    else cells[spec.column] = result.value;
  }
  return { cells, problems };
}

const num = (cell: Cell | undefined): number => Number(cell);

/** The rules between fields of one row that a single field's check cannot see. */
function rowRules(kind: ImportKind, cells: Record<string, Cell>): string[] {
  const problems: string[] = [];
  if (kind === 'reading-windows' && String(cells.closes_on) < String(cells.opens_on)) problems.push('closesOn: must not be before opensOn');
  if (kind === 'invoices') {
    if (String(cells.due_on) < String(cells.issued_on)) problems.push('dueOn: must not be before issuedOn');
    if (num(cells.open_amount) > num(cells.gross_total)) problems.push('openAmount: must not exceed grossTotal');
    if ((cells.consumption === null) !== (cells.consumption_unit === null)) {
      problems.push('consumptionUnit: consumption and consumptionUnit come together or not at all');
    }
  }
  if (kind === 'debt-items') {
    if (num(cells.open_amount) > num(cells.amount)) problems.push('openAmount: must not exceed amount');
    if (cells.kind === 'invoice' && cells.invoice_ref === null) problems.push('invoiceRef: is required for an invoice debt item');
    if (cells.kind === 'reminder_fee' && cells.invoice_ref !== null) problems.push('invoiceRef: a reminder fee names no invoice');
  }
  return problems;
}

interface CheckedLine extends VatSummaryRow {
  line_no: number;
  description: string;
  quantity: string;
  unit: string;
  unit_price: string;
}

/** An invoice's lines, VAT summary and PDF: staged as JSON arrays and bytes, with their hash. */
function checkInvoiceParts(raw: Record<string, unknown>, grossTotal: number): { cells: Record<string, Cell>; problems: string[] } {
  const problems: string[] = [];
  const lines: CheckedLine[] = [];
  if (!Array.isArray(raw.lines) || raw.lines.length === 0 || raw.lines.length > MAX_INVOICE_LINES) {
    problems.push(`lines: must be a list of 1–${MAX_INVOICE_LINES} lines`);
  } else {
    raw.lines.forEach((line: unknown, position) => {
      const prefix = `lines[${position}].`;
      if (!isRecord(line)) return problems.push(`lines[${position}]: must be an object`);
      const checked = checkFields(INVOICE_LINE_FIELDS, line, prefix);
      problems.push(...checked.problems);
      if (checked.problems.length > 0) return;
      const cells = checked.cells;
      if (num(cells.net_amount) + num(cells.vat_amount) !== num(cells.gross_amount)) {
        problems.push(`${prefix}grossAmount: must be netAmount + vatAmount`);
      }
      lines.push({
        line_no: cells.line_no === null ? position + 1 : num(cells.line_no),
        description: String(cells.description),
        quantity: String(cells.quantity),
        unit: String(cells.unit),
        unit_price: String(cells.unit_price),
        vatRate: num(cells.vat_rate),
        netAmount: num(cells.net_amount),
        vatAmount: num(cells.vat_amount),
        grossAmount: num(cells.gross_amount),
      });
    });
    if (new Set(lines.map((line) => line.line_no)).size !== lines.length) problems.push('lines: two lines have the same lineNo');
    if (problems.length === 0 && lines.reduce((sum, line) => sum + line.grossAmount, 0) !== grossTotal) {
      problems.push("lines: the lines' grossAmount must add up to grossTotal");
    }
  }
  const summary = checkVatSummary(raw.vatSummary, grossTotal, problems) ?? vatSummary(lines);
  const pdf = checkPdf(raw.pdf, problems);
  const stagedLines = lines.map((line) => ({
    line_no: line.line_no,
    description: line.description,
    quantity: line.quantity,
    unit: line.unit,
    unit_price: line.unit_price,
    vat_rate: line.vatRate,
    net_amount: line.netAmount,
    vat_amount: line.vatAmount,
    gross_amount: line.grossAmount,
  }));
  const stagedVat = summary.map((row) => ({
    vat_rate: row.vatRate,
    net_amount: row.netAmount,
    vat_amount: row.vatAmount,
    gross_amount: row.grossAmount,
  }));
  const linesJson = JSON.stringify(stagedLines);
  const vatJson = JSON.stringify(stagedVat);
  const contentHash = createHash('sha256')
    .update(linesJson)
    .update('\n')
    .update(vatJson)
    .update('\n')
    .update(pdf ? createHash('sha256').update(pdf).digest('hex') : '')
    .digest('hex');
  return { cells: { lines: linesJson, vat_summary: vatJson, pdf, content_hash: contentHash }, problems };
}

function checkVatSummary(raw: unknown, grossTotal: number, problems: string[]): VatSummaryRow[] | undefined {
  if (isAbsent(raw)) return undefined;
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > 101) {
    problems.push('vatSummary: must be a list of one row per VAT rate');
    return undefined;
  }
  const rows: VatSummaryRow[] = [];
  raw.forEach((row: unknown, position) => {
    const prefix = `vatSummary[${position}].`;
    if (!isRecord(row)) return problems.push(`vatSummary[${position}]: must be an object`);
    const checked = checkFields(VAT_SUMMARY_FIELDS, row, prefix);
    problems.push(...checked.problems);
    if (checked.problems.length > 0) return;
    const { vat_rate, net_amount, vat_amount, gross_amount } = checked.cells;
    if (num(net_amount) + num(vat_amount) !== num(gross_amount)) problems.push(`${prefix}grossAmount: must be netAmount + vatAmount`);
    rows.push({ vatRate: num(vat_rate), netAmount: num(net_amount), vatAmount: num(vat_amount), grossAmount: num(gross_amount) });
  });
  if (new Set(rows.map((row) => row.vatRate)).size !== rows.length) problems.push('vatSummary: one row per VAT rate');
  if (rows.length === raw.length && rows.reduce((sum, row) => sum + row.grossAmount, 0) !== grossTotal) {
    problems.push('vatSummary: the grossAmount of the rows must add up to grossTotal');
  }
  return rows;
}

function checkPdf(raw: unknown, problems: string[]): Buffer | null {
  if (isAbsent(raw)) return null;
  if (typeof raw !== 'string' || raw.length % 4 !== 0 || !BASE64.test(raw)) {
    problems.push('pdf: must be the PDF file in base64');
    return null;
  }
  if ((raw.length / 4) * 3 > MAX_PDF_BYTES + 2) {
    problems.push(`pdf: must be at most ${MAX_PDF_BYTES / 1024 / 1024} MiB`);
    return null;
  }
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length > MAX_PDF_BYTES) {
    problems.push(`pdf: must be at most ${MAX_PDF_BYTES / 1024 / 1024} MiB`);
    return null;
  }
  if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') {
    problems.push('pdf: is not a PDF file');
    return null;
  }
  return bytes;
}

/**
 * Checks one row of `kind` against every rule its table has, so that the set-based
 * upsert that follows cannot fail on a CHECK constraint: a row is staged whole or
 * refused with all its problems. References to other rows are checked by the upsert.
 */
export function checkRow(kind: ImportKind, raw: unknown, index: number): RowCheck {
  if (!isRecord(raw)) return { ok: false, rejected: { index, reason: 'must be an object' } };
  const extra = kind === 'invoices' ? INVOICE_EXTRA_KEYS : [];
  const { cells, problems } = checkFields(FIELDS[kind], raw, '', extra);
  if (problems.length === 0) problems.push(...rowRules(kind, cells));
  if (kind === 'invoices') {
    const parts = checkInvoiceParts(raw, num(cells.gross_total));
    problems.push(...parts.problems);
    Object.assign(cells, parts.cells);
  }
  if (problems.length > 0) return { ok: false, rejected: { index, reason: problems.join('; ') } };
  return { ok: true, row: { index, cells } };
}

/** Checks a batch: the rows that may be staged, and the refused ones with their index. */
export function checkRows(kind: ImportKind, raws: readonly unknown[], firstIndex = 0): { staged: StagedRow[]; rejected: RejectedRow[] } {
  const staged: StagedRow[] = [];
  const rejected: RejectedRow[] = [];
  raws.forEach((raw, position) => {
    const result = checkRow(kind, raw, firstIndex + position);
    if (result.ok) staged.push(result.row);
    else rejected.push(result.rejected);
  });
  return { staged, rejected };
}
