import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../libs/typeorm/prepared-query';
import { HistoryRow, MeterHistory } from './meter-history.service';
import { todayInHungary } from '../web/format';
import { findOpenWindow, WindowRow } from './reading-rules';
import { READING_KIND, meterSubject } from './reading-request.kind';

/*
 * The read side the customer pages and API share: the customer's service
 * points and meters, reading windows, history with consumption, and their requests'
 * timelines. Every query is scoped to the customer's company and customer id.
 */

interface ServicePointView {
  id: number;
  address: string;
}

interface LastReadingView {
  readOn: string;
  value: number;
  kind: string;
}

export interface MeterView {
  id: number;
  servicePointId: number;
  serialNumber: string;
  type: string;
  unit: string;
  decimals: number;
  calibratedAt: string | null;
  providerReadingPeriod: string | null;
  window: { open: boolean; opensOn: string | null; closesOn: string | null };
  lastReading: LastReadingView | null;
}

interface TimelineEntry {
  state: string;
  at: Date;
  reason: string | null;
}

export interface CustomerRequestView {
  id: number;
  kind: string;
  state: string;
  version: number;
  meterId: number | null;
  value: string | null;
  readOn: string | null;
  createdAt: Date;
  timeline: TimelineEntry[];
}

interface MeterRow {
  id: string;
  service_point_id: string;
  serial_number: string;
  type: string;
  unit: string;
  decimals: number;
  calibrated_at: string | null;
  provider_reading_period: string | null;
  /** The reading windows that apply to the meter (its own and the company-wide ones) and have not closed before today. */
  windows: WindowRow[];
  last_read_on: string | null;
  last_value: string | null;
  last_kind: string | null;
}

@Injectable()
export class MeterQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly meterHistory: MeterHistory,
  ) {}

  async servicePoints(companyId: number, customerId: number): Promise<ServicePointView[]> {
    const rows = await preparedQuery<{ id: string; postcode: string; town: string; address: string }>(
      this.dataSource.manager,
      'customer-service-points',
      `SELECT id, postcode, town, address FROM service_points WHERE company_id = $1 AND customer_id = $2 ORDER BY id`,
      [companyId, customerId],
    );
    return rows.map((r) => ({ id: Number(r.id), address: `${r.postcode} ${r.town}, ${r.address}` }));
  }

  /** The customer's meters (of one service point, if given), with the reading window and the last billable reading. */
  meters(companyId: number, customerId: number, servicePointId?: number, today = todayInHungary()): Promise<MeterView[]> {
    return servicePointId === undefined
      ? this.load('customer-meters', companyId, customerId, '', [], today)
      : this.load('customer-meters-of-point', companyId, customerId, 'AND m.service_point_id = $4', [servicePointId], today);
  }

  /** One of the customer's meters, as in `meters`; null for another customer's (or company's) meter. */
  async meter(companyId: number, customerId: number, meterId: number): Promise<MeterView | null> {
    if (!Number.isSafeInteger(meterId) || meterId <= 0) return null;
    const [meter] = await this.load('customer-meter', companyId, customerId, 'AND m.id = $4', [meterId], todayInHungary());
    return meter ?? null;
  }

  /** One prepared statement (`name` goes with `filter`): the meters, each with its windows and its last billable reading. */
  private async load(
    name: string,
    companyId: number,
    customerId: number,
    filter: string,
    params: unknown[],
    today: string,
  ): Promise<MeterView[]> {
    const rows = await preparedQuery<MeterRow>(
      this.dataSource.manager,
      name,
      `SELECT m.id, m.service_point_id, m.serial_number, m.type, m.unit, m.decimals, m.calibrated_at, m.provider_reading_period,
              (SELECT coalesce(json_agg(json_build_object('id', w.id, 'meterId', w.meter_id, 'opensOn', w.opens_on, 'closesOn', w.closes_on)
                                        ORDER BY w.id), '[]'::json)
                 FROM reading_windows w
                WHERE w.company_id = m.company_id AND (w.meter_id IS NULL OR w.meter_id = m.id) AND w.closes_on >= $3::date) AS windows,
              last.read_on AS last_read_on, last.value AS last_value, last.kind AS last_kind
         FROM meters m
         JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
         LEFT JOIN LATERAL (
                SELECT r.read_on, r.value, r.kind FROM readings r
                 WHERE r.company_id = m.company_id AND r.meter_id = m.id AND r.billable
                 ORDER BY r.read_on DESC, r.id DESC LIMIT 1) last ON true
        WHERE m.company_id = $1 AND sp.customer_id = $2 ${filter}
        ORDER BY m.service_point_id, m.id`,
      [companyId, customerId, today, ...params],
    );
    return rows.map((r) => {
      const lookup = findOpenWindow(r.windows, today);
      return {
        id: Number(r.id),
        servicePointId: Number(r.service_point_id),
        serialNumber: r.serial_number,
        type: r.type,
        unit: r.unit,
        decimals: r.decimals,
        calibratedAt: r.calibrated_at,
        providerReadingPeriod: r.provider_reading_period,
        window: lookup.open
          ? { open: true, opensOn: lookup.open.opensOn, closesOn: lookup.open.closesOn }
          : { open: false, opensOn: lookup.nextOpensOn, closesOn: null },
        lastReading:
          r.last_read_on !== null && r.last_value !== null && r.last_kind !== null
            ? { readOn: r.last_read_on, value: Number(r.last_value), kind: r.last_kind }
            : null,
      };
    });
  }

  /**
   * Billable readings of one of the customer's meters, newest first, each with the
   * consumption since the billable reading before it. Another customer's meter has none.
   */
  history(companyId: number, customerId: number, meterId: number): Promise<HistoryRow[]> {
    return this.meterHistory.forCustomer(companyId, customerId, meterId);
  }

  /**
   * The customer's latest `limit` reading requests of each of the meters, with their
   * timelines, newest first: two queries for any number of meters.
   */
  async requestsByMeter(
    companyId: number,
    customerId: number,
    meterIds: readonly number[],
    limit = 5,
  ): Promise<Map<number, CustomerRequestView[]>> {
    const ids = [...new Set(meterIds)];
    const byMeter = new Map<number, CustomerRequestView[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byMeter;
    const rows = await preparedQuery<RequestRow & { meter_id: string }>(
      this.dataSource.manager,
      'customer-requests-by-meter',
      `SELECT s.meter_id, r.id, r.kind, r.state, r.version, r.payload, r.created_at
         FROM unnest($4::bigint[], $5::text[]) AS s(meter_id, subject_ref)
        CROSS JOIN LATERAL (
              SELECT id, kind, state, version, payload, created_at FROM requests
               WHERE company_id = $1 AND customer_id = $2 AND kind = $3 AND subject_ref = s.subject_ref
               ORDER BY created_at DESC, id DESC LIMIT $6) r
        ORDER BY s.meter_id, r.created_at DESC, r.id DESC`,
      [companyId, customerId, READING_KIND, ids, ids.map(meterSubject), limit],
    );
    const views = await this.withTimelines(companyId, rows);
    rows.forEach((row, i) => byMeter.get(Number(row.meter_id))?.push(views[i]));
    return byMeter;
  }

  async request(companyId: number, customerId: number, requestId: number): Promise<CustomerRequestView | null> {
    if (!Number.isSafeInteger(requestId) || requestId <= 0) return null;
    const rows: RequestRow[] = await this.dataSource.query(
      `SELECT id, kind, state, version, payload, created_at FROM requests WHERE company_id = $1 AND customer_id = $2 AND id = $3`,
      [companyId, customerId, requestId],
    );
    return (await this.withTimelines(companyId, rows))[0] ?? null;
  }

  private async withTimelines(companyId: number, rows: RequestRow[]): Promise<CustomerRequestView[]> {
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
    return rows.map((r) => ({
      id: Number(r.id),
      kind: r.kind,
      state: r.state,
      version: r.version,
      meterId: typeof r.payload.meterId === 'number' ? r.payload.meterId : null,
      value: typeof r.payload.value === 'string' ? r.payload.value : null,
      readOn: typeof r.payload.readOn === 'string' ? r.payload.readOn : null,
      createdAt: r.created_at,
      // The customer sees the steps that matter to them: not a clerk's release back to the queue, nor internal comments.
      timeline: transitions
        .filter(
          (t) => t.request_id === r.id && t.from_state !== t.to_state && !(t.from_state === 'in_review' && t.to_state === 'submitted'),
        )
        .map((t) => ({ state: t.to_state, at: t.created_at, reason: t.to_state === 'rejected' ? t.comment : null })),
    }));
  }
}

interface RequestRow {
  id: string;
  kind: string;
  state: string;
  version: number;
  payload: Record<string, unknown>;
  created_at: Date;
}
