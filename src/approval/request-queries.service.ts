import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { WorkflowRequest } from '../../libs/workflow/request-workflow';
import { PreparedStatement, preparedQuery } from '../../libs/typeorm/prepared-query';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { Language } from '../web/i18n';
import { ApprovalQueueService } from './approval-queue.service';
import { HintView, RequestKinds, RequestPartial } from './request-kind';

/*
 * The back office's read side of requests: queue rows with the customer, the
 * claiming clerk's name and the kind's own line; one request with its log and the
 * kind's part of the page. Always scoped to the clerk's company. What a kind shows
 * comes from its RequestPresentation; nothing here knows a kind.
 */

/** A request answered within this many days counts as due soon (highlighted in the queue). */
export const DUE_SOON_DAYS = 2;

export interface QueueRow {
  id: number;
  kind: string;
  state: string;
  version: number;
  flagged: boolean;
  createdAt: Date;
  answerDueAt: Date;
  /** The deadline is within DUE_SOON_DAYS (or past). */
  dueSoon: boolean;
  customer: { id: number; code: string; name: string };
  summary: string;
  hints: HintView[];
  /** The kind's fields and stored hints, for the JSON API. */
  details: Record<string, unknown>;
  hintData: ReadonlyArray<Record<string, unknown>>;
  bulkApprovable: boolean;
  assignedClerk: { id: number; name: string } | null;
}

export interface RequestDetail extends QueueRow {
  payload: Record<string, unknown>;
  partial: RequestPartial;
  log: Array<{
    fromState: string | null;
    toState: string;
    event: string;
    actorKind: string;
    actorId: number | null;
    actorName: string | null;
    comment: string | null;
    createdAt: Date;
  }>;
}

/** The customer's requests still on their way (not applied, rejected or withdrawn), newest first; $3 the most to show. */
export const OPEN_REQUESTS: PreparedStatement = {
  name: 'approval_open_requests',
  text: `
SELECT id, kind, state, created_at FROM requests
 WHERE company_id = $1 AND customer_id = $2 AND state IN ('submitted', 'in_review', 'approved', 'apply_failed')
 ORDER BY created_at DESC, id DESC LIMIT $3`,
};

export interface OpenRequestView {
  id: number;
  kind: string;
  state: string;
  createdAt: Date;
}

@Injectable()
export class RequestQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly queue: ApprovalQueueService,
    private readonly kinds: RequestKinds,
  ) {}

  /** A customer's open requests and their states (the customer's home, the clerk's customer page). */
  async openForCustomer(companyId: number, customerId: number, limit = 10): Promise<OpenRequestView[]> {
    const rows = await preparedQuery<{ id: string; kind: string; state: string; created_at: Date }>(
      this.dataSource.manager,
      OPEN_REQUESTS.name,
      OPEN_REQUESTS.text,
      [companyId, customerId, limit],
    );
    return rows.map((row) => ({ id: Number(row.id), kind: row.kind, state: row.state, createdAt: row.created_at }));
  }

  async rows(companyId: number, items: readonly WorkflowRequest[], lang: Language, now = new Date()): Promise<QueueRow[]> {
    if (items.length === 0) return [];
    const customerIds = [...new Set(items.map((i) => i.customerId))];
    const clerkIds = [...new Set(items.map((i) => i.assignedClerkId).filter((id): id is number => id !== null))];
    const byKind = new Map<string, WorkflowRequest[]>();
    for (const item of items) byKind.set(item.kind, [...(byKind.get(item.kind) ?? []), item]);
    const [customers, clerks, ...lineMaps] = await Promise.all([
      this.dataSource.query(`SELECT id, code, name FROM customers WHERE company_id = $1 AND id = ANY($2::bigint[])`, [
        companyId,
        customerIds,
      ]) as Promise<Array<{ id: string; code: string; name: string }>>,
      clerkIds.length
        ? (this.dataSource.query(`SELECT id, name FROM clerks WHERE company_id = $1 AND id = ANY($2::int[])`, [
            companyId,
            clerkIds,
          ]) as Promise<Array<{ id: number; name: string }>>)
        : Promise.resolve([]),
      ...[...byKind].map(([kind, requests]) => this.kinds.get(kind).lines(companyId, requests, lang)),
    ]);
    const lines = new Map(lineMaps.flatMap((map) => [...map]));
    const soon = now.getTime() + DUE_SOON_DAYS * 86_400_000;
    return items.map((item) => {
      const customer = customers.find((c) => Number(c.id) === item.customerId);
      const clerk = item.assignedClerkId === null ? undefined : clerks.find((c) => Number(c.id) === item.assignedClerkId);
      const line = lines.get(item.id) ?? { summary: '', hints: [], details: {}, hintData: [] };
      return {
        id: item.id,
        kind: item.kind,
        state: item.state,
        version: item.version,
        flagged: item.flagged,
        createdAt: item.createdAt,
        answerDueAt: item.answerDueAt,
        dueSoon: item.answerDueAt.getTime() <= soon,
        customer: { id: item.customerId, code: customer?.code ?? '', name: customer?.name ?? '' },
        summary: line.summary,
        hints: line.hints,
        details: line.details,
        hintData: line.hintData,
        bulkApprovable: this.kinds.get(item.kind).bulkApprovable,
        assignedClerk: clerk
          ? { id: Number(clerk.id), name: clerk.name }
          : item.assignedClerkId !== null
            ? { id: item.assignedClerkId, name: '' }
            : null,
      };
    });
  }

  async detail(companyId: number, requestId: number, lang: Language): Promise<RequestDetail | null> {
    if (!Number.isSafeInteger(requestId) || requestId <= 0) return null;
    const request = await this.engine.find(this.dataSource.manager, companyId, requestId);
    if (!request) return null;
    const [[row], partial, log] = await Promise.all([
      this.rows(companyId, [request], lang),
      this.kinds.get(request.kind).clerkDetail(companyId, request, lang),
      this.queue.history(companyId, requestId),
    ]);
    const clerkIds = [...new Set(log.filter((l) => l.actorKind === 'clerk' && l.actorId !== null).map((l) => l.actorId!))];
    const clerks: Array<{ id: number; name: string }> = clerkIds.length
      ? await this.dataSource.query(`SELECT id, name FROM clerks WHERE company_id = $1 AND id = ANY($2::int[])`, [companyId, clerkIds])
      : [];
    return {
      ...row,
      payload: request.payload,
      partial,
      log: log.map((l) => ({
        ...l,
        actorName:
          l.actorKind === 'clerk'
            ? (clerks.find((c) => Number(c.id) === l.actorId)?.name ?? null)
            : l.actorKind === 'customer'
              ? row.customer.name
              : null,
      })),
    };
  }
}
