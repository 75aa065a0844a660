import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OpenRequestView, RequestQueries } from '../approval/request-queries.service';
import { HistoryRow } from '../metering/meter-history.service';
import { MeterQueries, MeterView } from '../metering/meter-queries.service';
import { ServicePoints } from '../metering/service-points.service';
import { SecurityAuditService } from '../identity/security-audit.service';
import { BillingQueries, DebtsView, InvoicePage } from './billing-queries.service';

/*
 * The clerk's customer look-up: a prefix search over customer code, name, e-mail,
 * mailing address, service-point address and invoice number, and one customer's
 * page. Each branch of the search is a range scan on a (company_id, <key>
 * text_pattern_ops) btree (migration 1764630000000), limited before the union, so it
 * stays a handful of index probes at 100,000 customers or millions of invoices. Each
 * branch orders by the index's own operator (USING ~<~, what text_pattern_ops sorts by):
 * ordered by the collation's < instead, a common prefix ("Próba utca 1", 11,000 hits at
 * 100,000 customers) read and sorted every hit (150 ms) instead of stopping after 20.
 */

export interface CustomerHit {
  id: number;
  code: string;
  name: string;
  email: string | null;
  address: string;
}

export interface CustomerDetail {
  customer: {
    id: number;
    code: string;
    name: string;
    email: string | null;
    phone: string | null;
    postcode: string;
    town: string;
    address: string;
    paymentMethod: string;
    eInvoice: boolean;
    customerType: string;
    portalAccount: boolean;
  };
  servicePoints: Array<{ id: number; address: string; meters: Array<MeterView & { recentReadings: HistoryRow[] }> }>;
  invoices: InvoicePage;
  debts: DebtsView | null;
  openRequests: OpenRequestView[];
}

export const MIN_SEARCH_LENGTH = 2;
/** Billable readings per meter on the customer's page, newest first. */
export const RECENT_READINGS = 6;
export const SEARCH_LIMIT = 20;

export const CUSTOMER_SEARCH_SQL = `
WITH hits AS (
  (SELECT id FROM customers WHERE company_id = $1 AND code LIKE $3 ORDER BY code USING ~<~ LIMIT $4)
  UNION
  (SELECT id FROM customers WHERE company_id = $1 AND lower(name) LIKE $2 ORDER BY lower(name) USING ~<~ LIMIT $4)
  UNION
  (SELECT id FROM customers WHERE company_id = $1 AND lower(email) LIKE $2 ORDER BY lower(email) USING ~<~ LIMIT $4)
  UNION
  (SELECT id FROM customers WHERE company_id = $1 AND lower(address) LIKE $2 ORDER BY lower(address) USING ~<~ LIMIT $4)
  UNION
  (SELECT customer_id FROM service_points WHERE company_id = $1 AND lower(address) LIKE $2 ORDER BY lower(address) USING ~<~ LIMIT $4)
  UNION
  (SELECT customer_id FROM invoices WHERE company_id = $1 AND invoice_number LIKE $3 ORDER BY invoice_number USING ~<~ LIMIT $4)
)
SELECT c.id, c.code, c.name, c.email, c.postcode, c.town, c.address
  FROM hits JOIN customers c ON c.company_id = $1 AND c.id = hits.id
 ORDER BY c.name, c.code
 LIMIT $4`;

/** `term%` for LIKE, with the term's own % _ \ taken literally. */
export function prefixPattern(term: string): string {
  return `${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

@Injectable()
export class CustomerLookup {
  constructor(
    private readonly dataSource: DataSource,
    private readonly billing: BillingQueries,
    private readonly meters: MeterQueries,
    private readonly servicePoints: ServicePoints,
    private readonly requests: RequestQueries,
    private readonly audit: SecurityAuditService,
  ) {}

  /** Customers of the company whose code, name, e-mail, address or an invoice number starts with the term (case-insensitive). */
  async search(companyId: number, term: string): Promise<CustomerHit[]> {
    const trimmed = term.trim();
    if (trimmed.length < MIN_SEARCH_LENGTH) return [];
    const rows: Array<{ id: string; code: string; name: string; email: string | null; postcode: string; town: string; address: string }> =
      await this.dataSource.query(CUSTOMER_SEARCH_SQL, [
        companyId,
        prefixPattern(trimmed.toLowerCase()),
        prefixPattern(trimmed.toUpperCase()),
        SEARCH_LIMIT,
      ]);
    return rows.map((row) => ({
      id: Number(row.id),
      code: row.code,
      name: row.name,
      email: row.email,
      address: `${row.postcode} ${row.town}, ${row.address}`,
    }));
  }

  /**
   * One customer of the clerk's company with their service points, meters and recent
   * readings, invoices, debts and open requests; records who looked at whom. Null (and nothing recorded)
   * for another company's or an unknown customer.
   */
  async detail(clerk: { companyId: number; clerkId: number }, customerId: number, ip: string | null): Promise<CustomerDetail | null> {
    if (!Number.isSafeInteger(customerId) || customerId <= 0) return null;
    const { companyId } = clerk;
    const [row]: Array<{
      id: string;
      code: string;
      name: string;
      email: string | null;
      phone: string | null;
      postcode: string;
      town: string;
      address: string;
      payment_method: string;
      e_invoice: boolean;
      customer_type: string;
      portal_account: boolean;
    }> = await this.dataSource.query(
      `SELECT c.id, c.code, c.name, c.email, c.phone, c.postcode, c.town, c.address, c.payment_method, c.e_invoice, c.customer_type,
              EXISTS (SELECT 1 FROM customer_accounts a WHERE a.company_id = c.company_id AND a.customer_id = c.id) AS portal_account
         FROM customers c WHERE c.company_id = $1 AND c.id = $2`,
      [companyId, customerId],
    );
    if (!row) return null;
    await this.audit.record(undefined, {
      companyId,
      actorKind: 'clerk',
      actorId: clerk.clerkId,
      event: 'customer_viewed',
      ip,
      detail: `customer ${row.id} ${row.code}`,
    });
    const [points, meters, readings, invoices, debts, openRequests] = await Promise.all([
      this.servicePoints.list(companyId, customerId),
      this.meters.meters(companyId, customerId),
      this.meters.recentReadings(companyId, customerId, RECENT_READINGS),
      this.billing.invoices(companyId, customerId, { limit: 24 }),
      this.billing.debts(companyId, customerId),
      this.requests.openForCustomer(companyId, customerId),
    ]);
    return {
      customer: {
        id: Number(row.id),
        code: row.code,
        name: row.name,
        email: row.email,
        phone: row.phone,
        postcode: row.postcode,
        town: row.town,
        address: row.address,
        paymentMethod: row.payment_method,
        eInvoice: row.e_invoice,
        customerType: row.customer_type,
        portalAccount: row.portal_account,
      },
      servicePoints: points.map((point) => ({
        ...point,
        meters: meters
          .filter((meter) => meter.servicePointId === point.id)
          .map((meter) => ({ ...meter, recentReadings: readings.get(meter.id) ?? [] })),
      })),
      invoices,
      debts,
      openRequests,
    };
  }
}
