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
