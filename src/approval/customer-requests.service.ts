import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../libs/typeorm/prepared-query';
import { WorkflowState } from '../../libs/workflow/request-workflow';
import { Result } from '../../libs/workflow/workflow-errors';
import { Transitioned, WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { Language } from '../web/i18n';
import { RequestKinds } from './request-kind';
import { REQUEST_COLUMNS, RequestRow, toWorkflowRequest } from '../../libs/workflow/request-row';

export interface TimelineEntry {
  state: string;
  at: Date;
  /** The clerk's reason, on a rejection. */
  reason: string | null;
}

/** A customer's request as the customer sees it, whatever its kind. */
export interface CustomerRequestView {
  id: number;
  kind: string;
  state: string;
  version: number;
  createdAt: Date;
  /** By when the company answers; null once it has (decided, withdrawn). */
  answerBy: Date | null;
  /** The kind's one line ("Telefonszám: … → …"). */
  summary: string;
  /** The kind's own fields (e.g. a reading's meter and value). */
  details: Record<string, unknown>;
  timeline: TimelineEntry[];
}

/** States in which the customer still waits for the company's answer. */
const AWAITING_ANSWER: readonly WorkflowState[] = ['submitted', 'in_review'];

/**
 * The customer's side of requests of every kind: one request with its timeline, the
 * latest requests about some subjects (a kind's page shows them), and withdrawal.
 * The two reads behind a kind's page are prepared statements (the readings page is a hot route).
 * Every query is scoped to the company and the customer: another customer's
 * request is not found.
 */
@Injectable()
export class CustomerRequestsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly kinds: RequestKinds,
  ) {}

  async get(companyId: number, customerId: number, requestId: number, lang: Language): Promise<CustomerRequestView | null> {
    if (!Number.isSafeInteger(requestId) || requestId <= 0) return null;
    const rows: RequestRow[] = await this.dataSource.query(
      `SELECT ${REQUEST_COLUMNS} FROM requests WHERE company_id = $1 AND customer_id = $2 AND id = $3`,
      [companyId, customerId, requestId],
    );
    return (await this.views(companyId, rows, lang))[0] ?? null;
  }

  /**
   * The customer's latest `limit` requests of `kind` about each of `subjectRefs`, newest
   * first, with their timelines: two queries for any number of subjects.
   */
  async latestBySubject(
    companyId: number,
    customerId: number,
    kind: string,
    subjectRefs: readonly string[],
    lang: Language,
    limit = 5,
  ): Promise<Map<string, CustomerRequestView[]>> {
    const subjects = [...new Set(subjectRefs)];
    const bySubject = new Map<string, CustomerRequestView[]>(subjects.map((subject) => [subject, []]));
    if (subjects.length === 0) return bySubject;
    const rows = await preparedQuery<RequestRow>(
      this.dataSource.manager,
      'customer-requests-by-subject',
      `SELECT r.* FROM unnest($4::text[]) AS s(subject_ref)
        CROSS JOIN LATERAL (
              SELECT ${REQUEST_COLUMNS} FROM requests
               WHERE company_id = $1 AND customer_id = $2 AND kind = $3 AND subject_ref = s.subject_ref
               ORDER BY created_at DESC, id DESC LIMIT $5) r
        ORDER BY s.subject_ref, r.created_at DESC, r.id DESC`,
      [companyId, customerId, kind, subjects, limit],
    );
    const views = await this.views(companyId, rows, lang);
    rows.forEach((row, i) => bySubject.get(row.subject_ref)?.push(views[i]));
    return bySubject;
  }

  /** The customer takes back a request nobody has started on (the machine decides which states allow it). */
  withdraw(companyId: number, customerId: number, requestId: number, expectedVersion: number): Promise<Result<Transitioned>> {
    return this.engine.send(this.dataSource.manager, {
      companyId,
      requestId,
      event: 'WITHDRAW',
      actor: { kind: 'customer', id: customerId },
      expectedVersion,
    });
  }

  private async views(companyId: number, rows: RequestRow[], lang: Language): Promise<CustomerRequestView[]> {
    if (rows.length === 0) return [];
    const transitions = await preparedQuery<{
      request_id: string;
      from_state: string | null;
      to_state: string;
      comment: string | null;
      created_at: Date;
    }>(
      this.dataSource.manager,
      'customer-request-timelines',
      `SELECT request_id, from_state, to_state, comment, created_at FROM request_transitions
          WHERE company_id = $1 AND request_id = ANY($2::bigint[]) ORDER BY id`,
      [companyId, rows.map((r) => r.id)],
    );
    return rows.map((row) => {
      const request = toWorkflowRequest(companyId, row);
      const view = this.kinds.get(request.kind).customerView(request, lang);
      return {
        id: request.id,
        kind: request.kind,
        state: request.state,
        version: request.version,
        createdAt: request.createdAt,
        answerBy: AWAITING_ANSWER.includes(request.state) ? request.answerDueAt : null,
        summary: view.summary,
        details: view.details,
        // The customer sees the steps that matter to them: not a clerk's release back to the queue, nor internal comments.
        timeline: transitions
          .filter(
            (t) => t.request_id === row.id && t.from_state !== t.to_state && !(t.from_state === 'in_review' && t.to_state === 'submitted'),
          )
          .map((t) => ({ state: t.to_state, at: t.created_at, reason: t.to_state === 'rejected' ? t.comment : null })),
      };
    });
  }
}
