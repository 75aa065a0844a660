import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse';
import { DataSource } from 'typeorm';
import { ImportKind } from './import-kinds';
import { checkRow, RejectedRow, StagedRow } from './import-rows';
import { importStaged } from './import-upsert';

export type ImportFileFormat = 'csv' | 'jsonl';

/** Rows read between two progress reports. */
const PROGRESS_EVERY = 5_000;

/** One row read from a file: the object to check, or why it could not be read; `line` is where it starts. */
export type FileRow = { line: number; raw: unknown } | { line: number; problem: string };

/** The format a file name says: `.csv`, `.jsonl`/`.ndjson`, each optionally `.gz`. */
export function formatOfFile(path: string): ImportFileFormat | null {
  const name = path.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.jsonl') || name.endsWith('.ndjson')) return 'jsonl';
  return null;
}

/** CSV columns named `line.<field>` belong to an invoice line; the invoice's other columns repeat on each of its lines. */
const LINE_PREFIX = 'line.';

/** A CSV record as an import row: empty cells are absent fields. */
function csvObject(record: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (value !== '') row[key] = value;
  return row;
}

function splitInvoiceRecord(record: Record<string, string>): { header: Record<string, unknown>; line: Record<string, unknown> } {
  const header: Record<string, string> = {};
  const line: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (key.startsWith(LINE_PREFIX)) line[key.slice(LINE_PREFIX.length)] = value;
    else header[key] = value;
  }
  return { header: csvObject(header), line: csvObject(line) };
}

/**
 * The rows of a CSV file. Invoices come one CSV row per invoice line: consecutive rows with
 * the same externalRef are one invoice, whose line number is its first row's. A row CSV
 * cannot read (a stray quote, a wrong number of cells) is reported and skipped.
 */
async function* csvRows(input: Readable, kind: ImportKind): AsyncGenerator<FileRow> {
  const skipped: FileRow[] = [];
  const parser = input.pipe(
    parseCsv({
      columns: true,
      bom: true,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (error) => {
        skipped.push({
          line: (error as { lines?: number } | undefined)?.lines ?? 0,
          problem: `not a readable CSV row: ${error?.message ?? ''}`,
        });
        return undefined;
      },
    }),
  );
  let invoice: { line: number; header: Record<string, unknown>; lines: unknown[] } | null = null;
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
    yield* skipped.splice(0);
    if (kind !== 'invoices') {
      yield { line: info.lines, raw: csvObject(record) };
      continue;
    }
    const { header, line } = splitInvoiceRecord(record);
    if (invoice && invoice.header.externalRef === header.externalRef) {
      invoice.lines.push(line);
      continue;
    }
    if (invoice) yield { line: invoice.line, raw: { ...invoice.header, lines: invoice.lines } };
    invoice = { line: info.lines, header, lines: [line] };
  }
  yield* skipped.splice(0);
  if (invoice) yield { line: invoice.line, raw: { ...invoice.header, lines: invoice.lines } };
}

/** The rows of a JSON Lines file: one JSON object a line; blank lines are skipped. */
async function* jsonLines(input: Readable): AsyncGenerator<FileRow> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line += 1;
    if (text.trim() === '') continue;
    try {
      yield { line, raw: JSON.parse(text) as unknown };
    } catch {
      yield { line, problem: 'not valid JSON' };
    }
  }
}

/** Counts the bytes read from the file (compressed, as on disk) for the progress bar. */
function byteCounter(onBytes: (bytes: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const file = await open(path);
  try {
    const { bytesRead, buffer } = await file.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await file.close();
  }
}

/** Reads the rows of a file, gunzipping it first when it starts with gzip's magic bytes. */
export async function* readImportFile(
  path: string,
  kind: ImportKind,
  format: ImportFileFormat,
  onBytes: (bytes: number) => void = () => undefined,
): AsyncGenerator<FileRow> {
  const gzipped = await startsWithGzipMagic(path);
  const counted = createReadStream(path).pipe(byteCounter(onBytes));
  const input = gzipped ? counted.pipe(createGunzip()) : counted;
  input.setEncoding('utf8');
  yield* format === 'csv' ? csvRows(input, kind) : jsonLines(input);
}

export interface FileImportProgress {
  bytesRead: number;
  bytesTotal: number;
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  rejected: number;
}

export interface FileImportOptions {
  companyId: number;
  kind: ImportKind;
  path: string;
  format: ImportFileFormat;
  /** Rows checked and applied per transaction. */
  chunkSize: number;
  onProgress?: (progress: FileImportProgress) => void;
  /** Each refused row, with its line number as `index`. */
  onRejected?: (row: RejectedRow) => void;
}

/**
 * The batch importer: streams a file, checks every row (a refused one is reported with its
 * line number), and applies the good ones a chunk at a time, each chunk in its own
 * transaction through the same staging upsert as the API. Reading and checking the next
 * chunk overlaps the database's work on the current one.
 */
export async function importFile(dataSource: DataSource, options: FileImportOptions): Promise<FileImportProgress> {
  const progress: FileImportProgress = {
    bytesRead: 0,
    bytesTotal: (await stat(options.path)).size,
    rows: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
  };
  const reject = (row: RejectedRow) => {
    progress.rejected += 1;
    options.onRejected?.(row);
  };
  const applyChunk = async (chunk: StagedRow[]) => {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      const counts = await importStaged(runner, options.companyId, options.kind, chunk);
      await runner.commitTransaction();
      progress.inserted += counts.inserted;
      progress.updated += counts.updated;
      progress.unchanged += counts.unchanged;
      counts.rejected.forEach(reject);
      options.onProgress?.(progress);
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
  };

  let chunk: StagedRow[] = [];
  let applying: Promise<void> = Promise.resolve();
  // A failed chunk is kept, not left as a rejected promise while the next chunk is read.
  let failure: { error: unknown } | null = null;
  const start = (rows: StagedRow[]) => {
    applying = applyChunk(rows).catch((error: unknown) => {
      failure = { error };
    });
  };
  const settle = async () => {
    await applying;
    if (failure) throw failure.error;
  };
  const rows = readImportFile(options.path, options.kind, options.format, (bytes) => {
    progress.bytesRead += bytes;
  });
  for await (const row of rows) {
    progress.rows += 1;
    if (progress.rows % PROGRESS_EVERY === 0) options.onProgress?.(progress);
    if ('problem' in row) {
      reject({ index: row.line, reason: row.problem });
      continue;
    }
    const checked = checkRow(options.kind, row.raw, row.line);
    if (!checked.ok) {
      reject(checked.rejected);
      continue;
    }
    chunk.push(checked.row);
    if (chunk.length >= options.chunkSize) {
      await settle();
      start(chunk);
      chunk = [];
    }
  }
  await settle();
  if (chunk.length > 0) await applyChunk(chunk);
  options.onProgress?.(progress);
  return progress;
}
