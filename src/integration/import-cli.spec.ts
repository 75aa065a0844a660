import { formatOfFile } from './import-file';
import { parseImportArgs, summary, UsageError } from './import-cli';

describe('the import command line', () => {
  it('reads the company, kind, file and the format from its name', () => {
    expect(parseImportArgs(['--company', 'minta', '--kind', 'invoices', 'szamlak.csv.gz'])).toEqual({
      company: 'minta',
      kind: 'invoices',
      format: 'csv',
      chunk: 20_000,
      file: 'szamlak.csv.gz',
    });
    expect(parseImportArgs(['--company', 'minta', '--kind', 'readings', '--chunk', '500', 'x.NDJSON'])).toMatchObject({
      format: 'jsonl',
      chunk: 500,
    });
    expect(parseImportArgs(['--company', 'minta', '--kind', 'payments', '--format', 'jsonl', 'export.txt'])).toMatchObject({
      format: 'jsonl',
    });
    expect(parseImportArgs(['-h'])).toBe('help');
  });

  it('refuses what it cannot run', () => {
    const refused = (argv: string[]) => () => parseImportArgs(argv);
    expect(refused(['--company', 'minta', '--kind', 'invoices'])).toThrow(UsageError);
    expect(refused(['--kind', 'invoices', 'a.csv'])).toThrow('--company is required');
    expect(refused(['--company', 'minta', '--kind', 'bills', 'a.csv'])).toThrow('--kind must be one of');
    expect(refused(['--company', 'minta', '--kind', 'invoices', 'a.xlsx'])).toThrow('--format must be csv or jsonl');
    expect(refused(['--company', 'minta', '--kind', 'invoices', '--chunk', '0', 'a.csv'])).toThrow('--chunk');
    expect(refused(['--company', 'minta', '--kind', 'invoices', '--verbose', 'a.csv'])).toThrow(UsageError);
  });

  it('tells formats by name and sums up a run', () => {
    expect(formatOfFile('/data/EXPORT.CSV')).toBe('csv');
    expect(formatOfFile('rows.jsonl.gz')).toBe('jsonl');
    expect(formatOfFile('rows.json')).toBeNull();
    const text = summary({ bytesRead: 1, bytesTotal: 1, rows: 12_345, inserted: 12_000, updated: 300, unchanged: 40, rejected: 5 }, 2);
    expect(text).toBe('12,345 rows in 2.0 s (6,173 rows/s): 12,000 inserted, 300 updated, 40 unchanged, 5 refused\n');
  });
});
