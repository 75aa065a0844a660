export const INVOICE_STATUSES = ['current', 'settled', 'overdue', 'partially_paid'] as const;
/** Tárgyhavi, Kiegyenlített, Lejárt, Részben fizetett. */
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

/**
 * An invoice's status, derived (never stored) from its due date, gross total and
 * open amount as of `today` ('YYYY-MM-DD', the Hungarian calendar day). Nothing open:
 * settled. Open after the due day: overdue, even if partly paid (the open amount
 * shows how much). Before that, partly paid or current.
 */
export function invoiceStatus(invoice: { dueOn: string; grossTotal: number; openAmount: number }, today: string): InvoiceStatus {
  if (invoice.openAmount <= 0) return 'settled';
  if (invoice.dueOn < today) return 'overdue';
  return invoice.openAmount < invoice.grossTotal ? 'partially_paid' : 'current';
}
