import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../../config/configuration';
import { dataSourceOptions } from '../../config/data-source-options';
import { FileImportProgress, formatOfFile, ImportFileFormat, importFile } from './import-file';
import { IMPORT_KINDS, ImportKind, isImportKind } from './import-kinds';

const DEFAULT_CHUNK = 20_000;
const MAX_LISTED = 10_000;

const USAGE = `Usage: npm run import -- --company CODE --kind KIND [--format csv|jsonl] [--chunk N] FILE

Imports the billing back office's rows from FILE into one company, by the back
office's own ids (externalRef): new rows are inserted, changed ones updated, the
same ones left alone, so importing a file again changes nothing. A row that is
refused is printed with its line number; the others go in.

  --company CODE  the company's code (e.g. minta)
  --kind KIND     ${IMPORT_KINDS.join(', ')}
  --format F      csv or jsonl (default: from the file name: .csv, .jsonl, .ndjson)
  --chunk N       rows applied per transaction (default ${DEFAULT_CHUNK})
  -h, --help      show this text

FILE may be gzip-compressed. CSV has a header row naming the fields as the API
does (externalRef, customerRef, dueOn, …); an invoice is one CSV row per line,
its line fields in columns line.description, line.quantity, line.unit,
line.unitPrice, line.vatRate, line.netAmount, line.vatAmount, line.grossAmount.
JSON Lines has one row a line, shaped as in the API.

Exit status: 0 all rows applied, 3 some rows refused (see the list), 1 failed, 2 usage.
`;

export class UsageError extends Error {}

export interface ImportCliOptions {
  company: string;
  kind: ImportKind;
  format: ImportFileFormat;
  chunk: number;
  file: string;
}

export function parseImportArgs(argv: string[]): ImportCliOptions | 'help' {
  let parsed: ReturnType<
    typeof parseArgs<{ options: Record<string, { type: 'string' | 'boolean'; short?: string }>; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        company: { type: 'string' },
        kind: { type: 'string' },
        format: { type: 'string' },
        chunk: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values as { company?: string; kind?: string; format?: string; chunk?: string; help?: boolean };
  if (values.help) return 'help';
  if (parsed.positionals.length !== 1) throw new UsageError('Name one FILE to import');
  const [file] = parsed.positionals;
  if (!values.company) throw new UsageError('--company is required');
  if (!isImportKind(values.kind)) throw new UsageError(`--kind must be one of ${IMPORT_KINDS.join(', ')}`);
  const format = values.format ?? formatOfFile(file);
  if (format !== 'csv' && format !== 'jsonl') throw new UsageError('--format must be csv or jsonl (the file name does not tell)');
  const chunk = values.chunk === undefined ? DEFAULT_CHUNK : Number(values.chunk);
  if (!Number.isSafeInteger(chunk) || chunk < 1 || chunk > 200_000) throw new UsageError('--chunk must be a whole number from 1 to 200000');
  return { company: values.company, kind: values.kind, format, chunk, file };
}

function grouped(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function summary(result: FileImportProgress, seconds: number): string {
  return (
    `${grouped(result.rows)} rows in ${seconds.toFixed(1)} s (${grouped(result.rows / Math.max(seconds, 0.001))} rows/s): ` +
    `${grouped(result.inserted)} inserted, ${grouped(result.updated)} updated, ${grouped(result.unchanged)} unchanged, ` +
    `${grouped(result.rejected)} refused\n`
  );
}

async function main(argv: string[]): Promise<number> {
  let options: ImportCliOptions | 'help';
  try {
    options = parseImportArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig();
  // The importer speaks plain SQL, so no entity metadata is needed.
  const dataSource = new DataSource({ ...dataSourceOptions({ ...config, DATABASE_POOL_SIZE: 3 }), entities: [] });
  await dataSource.initialize();
  try {
    const [company] = (await dataSource.query(`SELECT id FROM companies WHERE code = $1`, [options.company])) as Array<{ id: number }>;
    if (!company) {
      process.stderr.write(`import: no company with the code "${options.company}"\n`);
      return 2;
    }
    const bar = process.stderr.isTTY
      ? new SingleBar({
          format:
            'Import {kind} [{bar}] {percentage}% | {rows} rows | {speed} rows/s | +{inserted} ~{updated} ={unchanged} !{rejected} | ETA {eta_formatted}',
          hideCursor: true,
        })
      : undefined;
    const started = Date.now();
    const payload = (progress: FileImportProgress) => ({
      kind: options.kind,
      rows: grouped(progress.rows),
      speed: grouped(progress.rows / Math.max((Date.now() - started) / 1000, 0.001)),
      inserted: grouped(progress.inserted),
      updated: grouped(progress.updated),
      unchanged: grouped(progress.unchanged),
      rejected: grouped(progress.rejected),
    });
    // Under the bar, refused rows are listed when it stops (the first MAX_LISTED); without one, at once.
    const listed: string[] = [];
    bar?.start(1, 0, payload({ bytesRead: 0, bytesTotal: 1, rows: 0, inserted: 0, updated: 0, unchanged: 0, rejected: 0 }));
    const result = await importFile(dataSource, {
      companyId: company.id,
      kind: options.kind,
      path: options.file,
      format: options.format,
      chunkSize: options.chunk,
      onProgress: (progress) => {
        bar?.setTotal(progress.bytesTotal);
        bar?.update(progress.bytesRead, payload(progress));
      },
      onRejected: (row) => {
        const text = `line ${row.index}: ${row.reason}\n`;
        if (!bar) process.stderr.write(text);
        else if (listed.length < MAX_LISTED) listed.push(text);
      },
    });
    bar?.stop();
    process.stderr.write(listed.join(''));
    if (result.rejected > listed.length && bar)
      process.stderr.write(`… and ${grouped(result.rejected - listed.length)} more refused rows\n`);
    process.stdout.write(summary(result, (Date.now() - started) / 1000));
    return result.rejected > 0 ? 3 : 0;
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const known = error instanceof ConfigError || (error as { code?: string }).code === 'ENOENT';
      process.stderr.write(known ? `import: ${(error as Error).message}\n` : `import failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
