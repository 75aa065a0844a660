import { EntityManager } from 'typeorm';
import { JOBS } from '../jobs';

const { queue, name } = JOBS.invoiceIssued;

/**
 * The SQL that records the "invoice issued" event of the invoices a query yields (columns
 * `company_id` and `id`): one outbox row per invoice ({ invoiceId, companyId }), in id
 * order, by one INSERT … SELECT. A statement that inserts invoices can embed it as a
 * data-modifying WITH query over the rows it returned (the batch importer does), so the
 * events need no second pass over the invoices.
 */
export function invoicesIssuedOutboxSql(invoices: string): string {
  return `INSERT INTO outbox (company_id, queue, job_name, payload)
     SELECT e.company_id, '${queue}', '${name}', jsonb_build_object('invoiceId', e.id, 'companyId', e.company_id)
       FROM ${invoices} AS e
      ORDER BY e.id`;
}

/**
 * Records the "invoice issued" event of many invoices of one company in the caller's
 * transaction, however many there are. Ids of another company or of no invoice are
 * ignored; the same id twice gives one row. The e-mail goes at most once per invoice
 * anyway (InvoiceIssuedProcessor's once key), so recording an invoice again (a re-run
 * import) sends nothing twice.
 */
export async function recordInvoicesIssued(manager: EntityManager, companyId: number, invoiceIds: readonly number[]): Promise<void> {
  if (invoiceIds.length === 0) return;
  await manager.query(invoicesIssuedOutboxSql(`(SELECT company_id, id FROM invoices WHERE company_id = $1 AND id = ANY($2::bigint[]))`), [
    companyId,
    invoiceIds,
  ]);
}
