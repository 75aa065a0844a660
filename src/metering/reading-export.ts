import { EntityManager } from 'typeorm';

/** What the billing back office learns about an applied customer reading. */
export interface AppliedReadingExport {
  companyId: number;
  appliedAt: Date;
  payload: {
    readingId: number;
    requestId: number | null;
    externalRef: string | null;
    customerId: number;
    customerCode: string;
    customerExternalRef: string | null;
    servicePointId: number;
    servicePointExternalRef: string | null;
    meterId: number;
    meterExternalRef: string | null;
    meterSerialNumber: string;
    unit: string;
    readOn: string;
    value: number;
    kind: string;
  };
}

/**
 * Applied readings with the back office's names for their meter, service point and customer
 * (external refs, serial number, customer code), for the integration feed, in one query (an
 * apply transaction's export job), in id order; missing ones left out.
 */
export async function describeAppliedReadings(manager: EntityManager, readingIds: readonly number[]): Promise<AppliedReadingExport[]> {
  if (readingIds.length === 0) return [];
  const rows = (await manager.query(
    `SELECT r.company_id, r.created_at, r.id, r.request_id, r.external_ref, r.read_on, r.value::float8 AS value, r.kind,
            m.id AS meter_id, m.external_ref AS meter_ref, m.serial_number, m.unit, sp.id AS service_point_id,
            sp.external_ref AS service_point_ref, c.id AS customer_id, c.code AS customer_code, c.external_ref AS customer_ref
       FROM readings r
       JOIN meters m ON m.company_id = r.company_id AND m.id = r.meter_id
       JOIN service_points sp ON sp.company_id = m.company_id AND sp.id = m.service_point_id
       JOIN customers c ON c.company_id = sp.company_id AND c.id = sp.customer_id
      WHERE r.id = ANY($1::bigint[])
      ORDER BY r.id`,
    [readingIds],
  )) as Array<Record<string, unknown>>;
  return rows.map((row) => ({
    companyId: row.company_id as number,
    appliedAt: row.created_at as Date,
    payload: {
      readingId: Number(row.id),
      requestId: row.request_id === null ? null : Number(row.request_id),
      externalRef: row.external_ref as string | null,
      customerId: Number(row.customer_id),
      customerCode: row.customer_code as string,
      customerExternalRef: row.customer_ref as string | null,
      servicePointId: Number(row.service_point_id),
      servicePointExternalRef: row.service_point_ref as string | null,
      meterId: Number(row.meter_id),
      meterExternalRef: row.meter_ref as string | null,
      meterSerialNumber: row.serial_number as string,
      unit: row.unit as string,
      readOn: row.read_on as string,
      value: row.value as number,
      kind: row.kind as string,
    },
  }));
}
