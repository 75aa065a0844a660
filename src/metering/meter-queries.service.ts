import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HistoryRow, MeterHistory } from './meter-history.service';
import { findOpenWindow, todayInBudapest, WindowRow } from './reading-rules';
import { READING_KIND, meterSubject } from './reading-request.kind';

/*
 * The read side the customer pages and API share: the customer's service
 * points and meters, reading windows, history with consumption, and their requests'
 * timelines. Every query is scoped to the customer's company and customer id.
 */

export interface ServicePointView {
  id: number;
  address: string;
}

export interface LastReadingView {
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

export interface TimelineEntry {
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
}

@Injectable()
export class MeterQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly meterHistory: MeterHistory,
  ) {}

  async servicePoints(companyId: number, customerId: number): Promise<ServicePointView[]> {
    const rows: Array<{ id: string; postcode: string; town: string; address: string }> = await this.dataSource.query(
      `SELECT id, postcode, town, address FROM service_points WHERE company_id = $1 AND customer_id = $2 ORDER BY id`,
      [companyId, customerId],
    );
    return rows.map((r) => ({ id: Number(r.id), address: `${r.postcode} ${r.town}, ${r.address}` }));
  }

  /** The customer's meters (of one service point, if given), with the reading window and the last billable reading. */
  async meters(companyId: number, customerId: number, servicePointId?: number, today = todayInBudapest()): Promise<MeterView[]> {
    const rows: MeterRow[] = await this.dataSource.query(
      `SELECT m.id, m.service_point_id, m.serial_number, m.type, m.unit, m.decimals, m.calibrated_at, m.provider_reading_period
         FROM meters m JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
        WHERE m.company_id = $1 AND sp.customer_id = $2 ${servicePointId === undefined ? '' : 'AND m.service_point_id = $3'}
        ORDER BY m.service_point_id, m.id`,
      servicePointId === undefined ? [companyId, customerId] : [companyId, customerId, servicePointId],
    );
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const windows: Array<{ id: string; meter_id: string | null; opens_on: string; closes_on: string }> = await this.dataSource.query(
      `SELECT id, meter_id, opens_on, closes_on FROM reading_windows
        WHERE company_id = $1 AND (meter_id IS NULL OR meter_id = ANY($2::bigint[])) AND closes_on >= $3::date`,
      [companyId, ids, today],
    );
    const last: Array<{ meter_id: string; read_on: string; value: string; kind: string }> = await this.dataSource.query(
      `SELECT DISTINCT ON (meter_id) meter_id, read_on, value, kind FROM readings
        WHERE company_id = $1 AND meter_id = ANY($2::bigint[]) AND billable ORDER BY meter_id, read_on DESC, id DESC`,
      [companyId, ids],
    );
    return rows.map((r) => {
      const own = windows
        .filter((w) => w.meter_id === null || w.meter_id === r.id)
        .map((w): WindowRow => ({
          id: Number(w.id),
          meterId: w.meter_id === null ? null : Number(w.meter_id),
          opensOn: w.opens_on,
          closesOn: w.closes_on,
        }));
      const lookup = findOpenWindow(own, today);
      const lastRow = last.find((l) => l.meter_id === r.id);
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
        lastReading: lastRow ? { readOn: lastRow.read_on, value: Number(lastRow.value), kind: lastRow.kind } : null,
      };
    });
  }

  async meter(companyId: number, customerId: number, meterId: number): Promise<MeterView | null> {
    if (!Number.isSafeInteger(meterId) || meterId <= 0) return null;
    const all = await this.meters(companyId, customerId);
    return all.find((m) => m.id === meterId) ?? null;
  }

  /**
   * Billable readings of one of the customer's meters, newest first, each with the
   * consumption since the billable reading before it. Another customer's meter has none.
   */
  history(companyId: number, customerId: number, meterId: number): Promise<HistoryRow[]> {
    return this.meterHistory.forCustomer(companyId, customerId, meterId);
  }

  /** The customer's latest reading requests of a meter with their timelines, newest first. */
  async meterRequests(companyId: number, customerId: number, meterId: number, limit = 5): Promise<CustomerRequestView[]> {
    const rows: RequestRow[] = await this.dataSource.query(
      `SELECT id, kind, state, version, payload, created_at FROM requests
        WHERE company_id = $1 AND customer_id = $2 AND kind = $3 AND subject_ref = $4
        ORDER BY created_at DESC, id DESC LIMIT $5`,
      [companyId, customerId, READING_KIND, meterSubject(meterId), limit],
    );
    return this.withTimelines(companyId, rows);
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
    const transitions: Array<{
      request_id: string;
      from_state: string | null;
      to_state: string;
      comment: string | null;
      created_at: Date;
    }> = await this.dataSource.query(
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
