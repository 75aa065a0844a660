import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PreparedStatement, preparedQuery } from '../../libs/typeorm/prepared-query';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { HistoryRow, MeterHistory } from '../metering/meter-history.service';
import { StoredHint } from '../metering/reading-request.kind';
import { ApprovalQueueService, QueueItem } from './approval-queue.service';

/*
 * The back office's read side of requests: queue rows with the customer,
 * the meter and the claiming clerk's name; one request with its log and, for a
 * reading, the meter's billable history. Always scoped to the clerk's company.
 */

export interface QueueRow {
  id: number;
  kind: string;
  state: string;
  version: number;
  flagged: boolean;
  createdAt: Date;
  customer: { id: number; code: string; name: string };
  meter: { id: number; serialNumber: string; unit: string } | null;
  value: string | null;
  consumption: number | null;
  /** As stored at submission; see StoredHint (older requests have no numbers). */
  hints: StoredHint[];
  assignedClerk: { id: number; name: string } | null;
}

interface RequestDetail extends QueueRow {
  payload: Record<string, unknown>;
  history: HistoryRow[];
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

const meterIdOf = (subjectRef: string): number | null => {
  const match = /^meter:(\d+)$/.exec(subjectRef);
  return match ? Number(match[1]) : null;
};

@Injectable()
export class RequestQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly queue: ApprovalQueueService,
    private readonly meterHistory: MeterHistory,
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

  async rows(companyId: number, items: readonly QueueItem[]): Promise<QueueRow[]> {
    if (items.length === 0) return [];
    const customerIds = [...new Set(items.map((i) => i.customerId))];
    const meterIds = [...new Set(items.map((i) => meterIdOf(i.subjectRef)).filter((id): id is number => id !== null))];
    const clerkIds = [...new Set(items.map((i) => i.assignedClerkId).filter((id): id is number => id !== null))];
    const [customers, meters, clerks] = await Promise.all([
      this.dataSource.query(`SELECT id, code, name FROM customers WHERE company_id = $1 AND id = ANY($2::bigint[])`, [
        companyId,
        customerIds,
      ]) as Promise<Array<{ id: string; code: string; name: string }>>,
      meterIds.length
        ? (this.dataSource.query(`SELECT id, serial_number, unit FROM meters WHERE company_id = $1 AND id = ANY($2::bigint[])`, [
            companyId,
            meterIds,
          ]) as Promise<Array<{ id: string; serial_number: string; unit: string }>>)
        : Promise.resolve([]),
      clerkIds.length
        ? (this.dataSource.query(`SELECT id, name FROM clerks WHERE company_id = $1 AND id = ANY($2::int[])`, [
            companyId,
            clerkIds,
          ]) as Promise<Array<{ id: number; name: string }>>)
        : Promise.resolve([]),
    ]);
    return items.map((item) => {
      const customer = customers.find((c) => Number(c.id) === item.customerId);
      const meterId = meterIdOf(item.subjectRef);
      const meter = meterId === null ? undefined : meters.find((m) => Number(m.id) === meterId);
      const clerk = item.assignedClerkId === null ? undefined : clerks.find((c) => Number(c.id) === item.assignedClerkId);
      const payload = item.payload;
      return {
        id: item.id,
        kind: item.kind,
        state: item.state,
        version: item.version,
        flagged: item.flagged,
        createdAt: item.createdAt,
        customer: { id: item.customerId, code: customer?.code ?? '', name: customer?.name ?? '' },
        meter: meter ? { id: Number(meter.id), serialNumber: meter.serial_number, unit: meter.unit } : null,
        value: typeof payload.value === 'string' ? payload.value : null,
        consumption: typeof payload.consumption === 'number' ? payload.consumption : null,
        hints: Array.isArray(payload.hints) ? (payload.hints as StoredHint[]) : [],
        assignedClerk: clerk
          ? { id: Number(clerk.id), name: clerk.name }
          : item.assignedClerkId !== null
            ? { id: item.assignedClerkId, name: '' }
            : null,
      };
    });
  }

  async detail(companyId: number, requestId: number): Promise<RequestDetail | null> {
    if (!Number.isSafeInteger(requestId) || requestId <= 0) return null;
    const request = await this.engine.find(this.dataSource.manager, companyId, requestId);
    if (!request) return null;
    const [row] = await this.rows(companyId, [
      {
        id: request.id,
        customerId: request.customerId,
        kind: request.kind,
        state: request.state,
        version: request.version,
        subjectRef: request.subjectRef,
        payload: request.payload,
        flagged: request.flagged,
        assignedClerkId: request.assignedClerkId,
        createdAt: request.createdAt,
      },
    ]);
    const meterId = meterIdOf(request.subjectRef);
    const [history, log] = await Promise.all([
      meterId === null ? [] : this.meterHistory.forCompany(companyId, meterId),
      this.queue.history(companyId, requestId),
    ]);
    const clerkIds = [...new Set(log.filter((l) => l.actorKind === 'clerk' && l.actorId !== null).map((l) => l.actorId!))];
    const clerks: Array<{ id: number; name: string }> = clerkIds.length
      ? await this.dataSource.query(`SELECT id, name FROM clerks WHERE company_id = $1 AND id = ANY($2::int[])`, [companyId, clerkIds])
      : [];
    return {
      ...row,
      payload: request.payload,
      history,
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

  /**
   * What the consumption chart of a reading request needs, and nothing more: the
   * meter's unit and billable history. Null when the request is not the company's
   * or is not about one of its meters.
   */
  async chart(companyId: number, requestId: number): Promise<{ unit: string; history: HistoryRow[] } | null> {
    if (!Number.isSafeInteger(requestId) || requestId <= 0) return null;
    const [meter]: Array<{ id: string; unit: string }> = await this.dataSource.query(
      `SELECT m.id, m.unit FROM requests r
         JOIN meters m ON m.company_id = r.company_id
          AND m.id = CASE WHEN r.subject_ref ~ '^meter:[0-9]{1,18}$' THEN substr(r.subject_ref, 7)::bigint END
        WHERE r.company_id = $1 AND r.id = $2`,
      [companyId, requestId],
    );
    if (!meter) return null;
    return { unit: meter.unit, history: await this.meterHistory.forCompany(companyId, Number(meter.id)) };
  }
}
