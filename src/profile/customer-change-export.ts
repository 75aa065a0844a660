import { EntityManager } from 'typeorm';
import { DATA_CHANGE_KIND, DataChangePayload } from './data-change.kind';
import { orderedFields } from './customer-data-rules';
import { E_INVOICE_KIND } from './e-invoice.kind';

/** What the billing back office learns about an applied data change or e-invoice switch. */
export type CustomerChangeExport =
  | {
      kind: typeof DATA_CHANGE_KIND;
      companyId: number;
      appliedAt: Date;
      payload: {
        requestId: number;
        customerId: number;
        customerCode: string;
        customerExternalRef: string | null;
        /** Each changed field: the value before and the value applied. */
        changes: DataChangePayload['changes'];
      };
    }
  | {
      kind: typeof E_INVOICE_KIND;
      companyId: number;
      appliedAt: Date;
      payload: {
        requestId: number;
        customerId: number;
        customerCode: string;
        customerExternalRef: string | null;
        servicePointId: number;
        servicePointExternalRef: string | null;
        optedIn: boolean;
        /** The consent text exactly as the customer saw it, and when they agreed (or withdrew). */
        consentText: string;
        consentedAt: string;
      };
    };

/**
 * An applied customer change for the integration feed, with the customer's code; null
 * when the request is not an applied change of that kind.
 */
export async function describeCustomerChange(
  manager: EntityManager,
  companyId: number,
  requestId: number,
  kind: string,
): Promise<CustomerChangeExport | null> {
  if (kind === E_INVOICE_KIND) {
    const [row] = (await manager.query(
      `SELECT e.company_id, e.applied_at, e.customer_id, c.code, c.external_ref AS customer_ref, e.service_point_id,
              sp.external_ref AS service_point_ref, e.opted_in, e.consent_text, e.consented_at
         FROM e_invoice_consents e
         JOIN customers c ON c.company_id = e.company_id AND c.id = e.customer_id
         JOIN service_points sp ON sp.company_id = e.company_id AND sp.id = e.service_point_id
        WHERE e.company_id = $1 AND e.request_id = $2`,
      [companyId, requestId],
    )) as Array<Record<string, unknown>>;
    if (!row) return null;
    return {
      kind: E_INVOICE_KIND,
      companyId: row.company_id as number,
      appliedAt: row.applied_at as Date,
      payload: {
        requestId,
        customerId: Number(row.customer_id),
        customerCode: row.code as string,
        customerExternalRef: row.customer_ref as string | null,
        servicePointId: Number(row.service_point_id),
        servicePointExternalRef: row.service_point_ref as string | null,
        optedIn: row.opted_in as boolean,
        consentText: row.consent_text as string,
        consentedAt: (row.consented_at as Date).toISOString(),
      },
    };
  }
  if (kind !== DATA_CHANGE_KIND) return null;
  const [row] = (await manager.query(
    `SELECT r.company_id, r.updated_at, r.customer_id, c.code, c.external_ref AS customer_ref, r.payload
       FROM requests r JOIN customers c ON c.company_id = r.company_id AND c.id = r.customer_id
      WHERE r.company_id = $1 AND r.id = $2 AND r.kind = $3 AND r.state = 'applied'`,
    [companyId, requestId, DATA_CHANGE_KIND],
  )) as Array<Record<string, unknown>>;
  if (!row) return null;
  const { changes } = row.payload as DataChangePayload;
  return {
    kind: DATA_CHANGE_KIND,
    companyId: row.company_id as number,
    appliedAt: row.updated_at as Date,
    payload: {
      requestId,
      customerId: Number(row.customer_id),
      customerCode: row.code as string,
      customerExternalRef: row.customer_ref as string | null,
      changes: Object.fromEntries(orderedFields(changes).map((field) => [field, changes[field]])),
    },
  };
}
