import { EntityManager } from 'typeorm';

/** What the billing back office learns about a recorded card payment: the money and how it was allocated. */
export interface PaymentExport {
  companyId: number;
  confirmedAt: Date;
  /** The payment's last change (a clerk's allocation of a flagged payment). */
  updatedAt: Date;
  payload: {
    paymentId: number;
    customerId: number;
    customerCode: string;
    customerExternalRef: string | null;
    amount: number;
    currency: string;
    orderRef: string;
    gatewayReference: string | null;
    flagged: boolean;
    allocations: Array<{
      debtItemId: number;
      debtItemExternalRef: string | null;
      invoiceNumber: string | null;
      invoiceExternalRef: string | null;
      amount: number;
    }>;
  };
}

/**
 * A succeeded payment of the company with its allocations (debt items named by the back
 * office's external ref and invoice number), for the integration feed; null otherwise.
 */
export async function describePayment(manager: EntityManager, companyId: number, paymentId: number): Promise<PaymentExport | null> {
  const [row] = (await manager.query(
    `SELECT p.id, p.customer_id, c.code, c.external_ref AS customer_ref, COALESCE(p.paid_amount, p.amount) AS amount, COALESCE(p.paid_currency, p.currency) AS currency,
            p.order_ref, p.gateway_reference, p.flagged, p.confirmed_at, p.updated_at
       FROM payments p JOIN customers c ON c.company_id = p.company_id AND c.id = p.customer_id
      WHERE p.company_id = $1 AND p.id = $2 AND p.status = 'succeeded'`,
    [companyId, paymentId],
  )) as Array<Record<string, unknown>>;
  if (!row) return null;
  const allocations = (await manager.query(
    `SELECT a.debt_item_id, d.external_ref, i.invoice_number, i.external_ref AS invoice_ref, a.amount
       FROM payment_allocations a
       JOIN debt_items d ON d.company_id = a.company_id AND d.id = a.debt_item_id
       LEFT JOIN invoices i ON i.company_id = d.company_id AND i.id = d.invoice_id
      WHERE a.company_id = $1 AND a.payment_id = $2
      ORDER BY a.id`,
    [companyId, paymentId],
  )) as Array<{
    debt_item_id: string;
    external_ref: string | null;
    invoice_number: string | null;
    invoice_ref: string | null;
    amount: number;
  }>;
  return {
    companyId,
    confirmedAt: row.confirmed_at as Date,
    updatedAt: row.updated_at as Date,
    payload: {
      paymentId,
      customerId: Number(row.customer_id),
      customerCode: row.code as string,
      customerExternalRef: row.customer_ref as string | null,
      amount: row.amount as number,
      currency: row.currency as string,
      orderRef: row.order_ref as string,
      gatewayReference: row.gateway_reference as string | null,
      flagged: row.flagged as boolean,
      allocations: allocations.map((a) => ({
        debtItemId: Number(a.debt_item_id),
        debtItemExternalRef: a.external_ref,
        invoiceNumber: a.invoice_number,
        invoiceExternalRef: a.invoice_ref,
        amount: a.amount,
      })),
    },
  };
}
