import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../../libs/typeorm/prepared-query';

export interface ServicePointView {
  id: number;
  /** "6600 Minta település, Minta tér 1." */
  address: string;
  /** Invoices of the service point go by e-mail (e-számla) instead of on paper. */
  eInvoice: boolean;
}

/** A customer's service points (the readings, billing and profile pages, the e-invoice consent), always scoped to the company and the customer. */
@Injectable()
export class ServicePoints {
  constructor(private readonly dataSource: DataSource) {}

  async list(companyId: number, customerId: number): Promise<ServicePointView[]> {
    const rows = await preparedQuery<{ id: string; postcode: string; town: string; address: string; e_invoice: boolean }>(
      this.dataSource.manager,
      'customer-service-points',
      `SELECT id, postcode, town, address, e_invoice FROM service_points WHERE company_id = $1 AND customer_id = $2 ORDER BY id`,
      [companyId, customerId],
    );
    return rows.map((r) => ({ id: Number(r.id), address: `${r.postcode} ${r.town}, ${r.address}`, eInvoice: r.e_invoice }));
  }

  async find(companyId: number, customerId: number, servicePointId: number): Promise<ServicePointView | null> {
    if (!Number.isSafeInteger(servicePointId) || servicePointId <= 0) return null;
    return (await this.list(companyId, customerId)).find((point) => point.id === servicePointId) ?? null;
  }

  /** Switches e-invoice delivery, in the caller's transaction; false when the service point is not the customer's. */
  async setEInvoice(manager: EntityManager, companyId: number, customerId: number, servicePointId: number, on: boolean): Promise<boolean> {
    // A bare UPDATE … RETURNING comes back from TypeORM as [rows, count]; through a CTE it is the rows.
    const rows: Array<{ id: string }> = await manager.query(
      `WITH switched AS (
         UPDATE service_points SET e_invoice = $4 WHERE company_id = $1 AND customer_id = $2 AND id = $3 RETURNING id
       )
       SELECT id FROM switched`,
      [companyId, customerId, servicePointId, on],
    );
    return rows.length > 0;
  }
}
