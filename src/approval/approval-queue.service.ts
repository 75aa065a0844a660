import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WorkflowRequest } from '../../libs/workflow/request-workflow';
import { REQUEST_COLUMNS, RequestRow, toWorkflowRequest } from '../../libs/workflow/request-row';
import { OPEN_REQUEST_STATES, RequestState } from './request.entity';

export type OpenState = (typeof OPEN_REQUEST_STATES)[number];

export interface QueueFilter {
  kinds?: string[];
  states?: OpenState[];
  /** Only requests submitted more than this many days ago. */
  olderThanDays?: number;
  flagged?: boolean;
  /** The `next` cursor of the previous page. */
  after?: string;
  limit?: number;
}

interface QueuePage {
  items: WorkflowRequest[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export class InvalidCursorError extends Error {}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

type Row = RequestRow & { cursor_at: string };

/**
 * The clerk work queue: a company's open requests (submitted, in review, failed
 * to apply), the nearest answer deadline first, paged by the keyset
 * (answer_due_at, id) along the partial index requests_queue_idx. The cursor keeps
 * the deadline to the microsecond (a JS Date would drop them and skip or repeat rows).
 */
@Injectable()
export class ApprovalQueueService {
  constructor(private readonly dataSource: DataSource) {}

  async list(companyId: number, filter: QueueFilter = {}): Promise<QueuePage> {
    const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? DEFAULT_LIMIT)), MAX_LIMIT);
    const params: unknown[] = [companyId];
    const where = [`company_id = $1`, `state IN ('submitted', 'in_review', 'apply_failed')`];
    const param = (value: unknown) => {
      params.push(value);
      return `$${params.length}`;
    };
    if (filter.states?.length) where.push(`state = ANY(${param(filter.states)}::text[])`);
    if (filter.kinds?.length) where.push(`kind = ANY(${param(filter.kinds)}::text[])`);
    if (filter.flagged !== undefined) where.push(`flagged = ${param(filter.flagged)}`);
    if (filter.olderThanDays !== undefined) {
      where.push(`created_at < now() - make_interval(days => ${param(Math.max(0, Math.trunc(filter.olderThanDays)))})`);
    }
    if (filter.after) {
      const [at, id] = decodeCursor(filter.after);
      where.push(`(answer_due_at, id) > (${param(at)}::timestamptz, ${param(id)}::bigint)`);
    }
    const rows: Row[] = await this.dataSource.query(
      `SELECT ${REQUEST_COLUMNS},
              to_char(answer_due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
         FROM requests WHERE ${where.join(' AND ')}
        ORDER BY answer_due_at, id LIMIT ${param(limit + 1)}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => toWorkflowRequest(companyId, row)),
      next: rows.length > limit && last ? encodeCursor(last.cursor_at, Number(last.id)) : null,
    };
  }

  /** The request's log, oldest first: every transition and comment (actor, from, to, event, comment, time). */
  async history(companyId: number, requestId: number) {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT from_state, to_state, event, actor_kind, actor_id, comment, created_at FROM request_transitions
        WHERE company_id = $1 AND request_id = $2 ORDER BY id`,
      [companyId, requestId],
    );
    return rows.map((row) => ({
      fromState: row.from_state as RequestState | null,
      toState: row.to_state as RequestState,
      event: row.event as string,
      actorKind: row.actor_kind as string,
      actorId: row.actor_id === null ? null : Number(row.actor_id),
      comment: row.comment as string | null,
      createdAt: row.created_at as Date,
    }));
  }
}

function encodeCursor(at: string, id: number): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string): [string, number] {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(at ?? '') || !/^\d{1,18}$/.test(id ?? ''))
    throw new InvalidCursorError('Invalid page cursor');
  return [at, Number(id)];
}
