import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { round3 } from './reading-rules';

export interface HistoryRow {
  readOn: string;
  value: number;
  kind: string;
  consumption: number | null;
}

/**
 * The one query of a meter's billable history: billable readings, newest first,
 * each with the consumption since the billable reading before it. The customer's
 * pages and API and the clerk's request detail and chart all read it here.
 */
@Injectable()
export class MeterHistory {
  constructor(private readonly dataSource: DataSource) {}

  /** One of the customer's meters; another customer's meter has none. */
  forCustomer(companyId: number, customerId: number, meterId: number): Promise<HistoryRow[]> {
    return this.load(
      `AND EXISTS (SELECT 1 FROM meters m JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
                    WHERE m.company_id = r.company_id AND m.id = r.meter_id AND sp.customer_id = $3)`,
      [companyId, meterId, customerId],
    );
  }

  /** Any meter of the company, for its clerks. */
  forCompany(companyId: number, meterId: number): Promise<HistoryRow[]> {
    return this.load('', [companyId, meterId]);
  }

  /**
   * The newest `perMeter` billable readings of each of the customer's meters, newest first,
   * by meter id: one statement for all meters (the clerk's customer page). The consumption is
   * since the billable reading before, as in the full history.
   */
  async recentForCustomer(companyId: number, customerId: number, perMeter: number): Promise<Map<number, HistoryRow[]>> {
    const rows: Array<{ meter_id: string; read_on: string; value: string; kind: string; previous: string | null }> =
      await this.dataSource.query(
        `SELECT meter_id, read_on, value, kind, previous FROM (
           SELECT r.meter_id, r.read_on, r.value, r.kind,
                  lag(r.value) OVER (PARTITION BY r.meter_id ORDER BY r.read_on, r.id) AS previous,
                  row_number() OVER (PARTITION BY r.meter_id ORDER BY r.read_on DESC, r.id DESC) AS newest
             FROM readings r
             JOIN meters m ON m.company_id = r.company_id AND m.id = r.meter_id
             JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
            WHERE r.company_id = $1 AND sp.customer_id = $2 AND r.billable) AS ranked
          WHERE newest <= $3
          ORDER BY meter_id, newest`,
        [companyId, customerId, perMeter],
      );
    const byMeter = new Map<number, HistoryRow[]>();
    for (const row of rows) {
      const meterId = Number(row.meter_id);
      byMeter.set(meterId, [
        ...(byMeter.get(meterId) ?? []),
        {
          readOn: row.read_on,
          value: Number(row.value),
          kind: row.kind,
          consumption: row.previous === null ? null : round3(Number(row.value) - Number(row.previous)),
        },
      ]);
    }
    return byMeter;
  }

  private async load(scope: string, params: unknown[]): Promise<HistoryRow[]> {
    const rows: Array<{ read_on: string; value: string; kind: string }> = await this.dataSource.query(
      `SELECT r.read_on, r.value, r.kind FROM readings r
        WHERE r.company_id = $1 AND r.meter_id = $2 AND r.billable ${scope}
        ORDER BY r.read_on, r.id`,
      params,
    );
    return rows
      .map((r, i) => ({
        readOn: r.read_on,
        value: Number(r.value),
        kind: r.kind,
        consumption: i > 0 ? round3(Number(r.value) - Number(rows[i - 1].value)) : null,
      }))
      .reverse();
  }
}
