import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PreparedStatement, preparedQuery } from '../../libs/typeorm/prepared-query';
import { HistoryRow, MeterHistory } from './meter-history.service';
import { todayInHungary } from '../web/format';
import { findOpenWindow, WindowRow } from './reading-rules';

/*
 * The read side the customer pages and API share: the customer's meters
 * (their service points are ServicePoints'), reading windows and history with consumption (the requests'
 * timelines are approval's CustomerRequestsService). Every query is scoped to the customer's company and customer id.
 */

/** How many of the customer's meters have a reading window open on $3 (their own or a company-wide one). */
export const OPEN_READING_WINDOWS: PreparedStatement = {
  name: 'metering_open_windows',
  text: `
SELECT count(*)::int AS meters FROM meters m
  JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
 WHERE m.company_id = $1 AND sp.customer_id = $2
   AND EXISTS (SELECT 1 FROM reading_windows w
                WHERE w.company_id = m.company_id AND (w.meter_id IS NULL OR w.meter_id = m.id)
                  AND w.opens_on <= $3::date AND w.closes_on >= $3::date)`,
};

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

  /** The number of the customer's meters whose reading window is open today. */
  async metersWithOpenWindow(companyId: number, customerId: number, today = todayInHungary()): Promise<number> {
    const [row] = await preparedQuery<{ meters: number }>(this.dataSource.manager, OPEN_READING_WINDOWS.name, OPEN_READING_WINDOWS.text, [
      companyId,
      customerId,
      today,
    ]);
    return row.meters;
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

  /** The newest `perMeter` billable readings of each of the customer's meters, by meter id (the clerk's customer page). */
  recentReadings(companyId: number, customerId: number, perMeter: number): Promise<Map<number, HistoryRow[]>> {
    return this.meterHistory.recentForCustomer(companyId, customerId, perMeter);
  }
}
