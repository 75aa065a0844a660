import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ImportKind, MAX_ROWS_PER_REQUEST } from './import-kinds';
import { checkRows, RejectedRow } from './import-rows';
import { ImportCounts, importStaged } from './import-upsert';
import { IntegrationPrincipal } from './integration-principal';

export type ImportRequestResult = { kind: 'imported'; counts: ImportCounts } | { kind: 'invalid'; problem: string };

/**
 * The import API's use case: every row is checked first; the good ones are applied in one
 * transaction by the set-based upsert the batch importer uses too; a refused row is
 * reported with its index and reason, and nothing of it is written.
 */
@Injectable()
export class ImportService {
  constructor(private readonly dataSource: DataSource) {}

  async importRows(principal: IntegrationPrincipal, kind: ImportKind, body: unknown): Promise<ImportRequestResult> {
    const rows = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { rows?: unknown }).rows : undefined;
    if (!Array.isArray(rows)) return { kind: 'invalid', problem: 'The body must be { "rows": [ … ] }' };
    if (rows.length > MAX_ROWS_PER_REQUEST) {
      return { kind: 'invalid', problem: `At most ${MAX_ROWS_PER_REQUEST} rows a request (this one has ${rows.length})` };
    }
    const { staged, rejected } = checkRows(kind, rows);
    const counts = await this.dataSource.transaction((manager) => {
      if (!manager.queryRunner) throw new Error('A transaction has its query runner');
      return importStaged(manager.queryRunner, principal.companyId, kind, staged);
    });
    return { kind: 'imported', counts: { ...counts, rejected: mergeRejected(rejected, counts.rejected) } };
  }
}

function mergeRejected(a: RejectedRow[], b: RejectedRow[]): RejectedRow[] {
  return [...a, ...b].sort((x, y) => x.index - y.index);
}
