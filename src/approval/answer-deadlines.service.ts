import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { RequestKinds } from './request-kind';

/** One request kind's answer deadline in a company. */
export interface AnswerDeadlineView {
  kind: string;
  /** Translation key of the kind's name. */
  labelKey: string;
  /** The kind's own default, used while the company has set none. */
  defaultDays: number;
  /** The company's own deadline; null: the default applies. */
  days: number | null;
}

/**
 * A company's answer deadlines per request kind (request_answer_deadlines): every
 * registered kind, with its default and the company's own number if it set one. The
 * engine reads the table when a request is submitted, so a change applies to new requests.
 */
@Injectable()
export class AnswerDeadlines {
  constructor(
    private readonly dataSource: DataSource,
    private readonly kinds: RequestKinds,
  ) {}

  async list(companyId: number, manager: EntityManager = this.dataSource.manager): Promise<AnswerDeadlineView[]> {
    const rows: Array<{ kind: string; answer_days: number }> = await manager.query(
      `SELECT kind, answer_days FROM request_answer_deadlines WHERE company_id = $1`,
      [companyId],
    );
    return this.kinds.names().map((name) => {
      const kind = this.kinds.get(name);
      return {
        kind: name,
        labelKey: kind.labelKey,
        defaultDays: kind.answerDays,
        days: rows.find((row) => row.kind === name)?.answer_days ?? null,
      };
    });
  }

  /** Every registered request kind's name. */
  kindNames(): string[] {
    return this.kinds.names();
  }

  /**
   * Sets the company's deadlines in the caller's transaction: days per kind, or null to
   * go back to the kind's default. Kinds not named keep theirs. The caller checks the
   * numbers; the table's check (1 to 365) refuses others anyway.
   */
  async set(manager: EntityManager, companyId: number, days: ReadonlyMap<string, number | null>): Promise<void> {
    const unknown = [...days.keys()].filter((kind) => !this.kinds.has(kind));
    if (unknown.length > 0) throw new Error(`Unknown request kinds: ${unknown.join(', ')}`);
    const own = [...days].filter((entry): entry is [string, number] => entry[1] !== null);
    const defaults = [...days].filter(([, value]) => value === null).map(([kind]) => kind);
    if (defaults.length > 0) {
      await manager.query(`DELETE FROM request_answer_deadlines WHERE company_id = $1 AND kind = ANY($2::text[])`, [companyId, defaults]);
    }
    if (own.length > 0) {
      await manager.query(
        `INSERT INTO request_answer_deadlines (company_id, kind, answer_days)
         SELECT $1, kind, answer_days FROM unnest($2::text[], $3::int[]) AS x(kind, answer_days)
         ON CONFLICT (company_id, kind) DO UPDATE SET answer_days = EXCLUDED.answer_days`,
        [companyId, own.map(([kind]) => kind), own.map(([, value]) => value)],
      );
    }
  }
}
