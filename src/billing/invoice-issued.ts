import { EntityManager } from 'typeorm';
import { JOBS } from '../jobs';

/**
 * Records the "invoice issued" event of many invoices of one company in the caller's
 * transaction: one outbox row per invoice ({ invoiceId, companyId }), written by one
 * INSERT … SELECT however many invoices an import brings. Ids of another company or
 * of no invoice are ignored; the same id twice gives one row. The e-mail goes at most
 * once per invoice anyway (InvoiceIssuedProcessor's once key), so recording an
 * invoice again (a re-run import) sends nothing twice.
 */
export async function recordInvoicesIssued(manager: EntityManager, companyId: number, invoiceIds: readonly number[]): Promise<void> {
  if (invoiceIds.length === 0) return;
  await manager.query(
    `INSERT INTO outbox (company_id, queue, job_name, payload)
     SELECT i.company_id, $3, $4, jsonb_build_object('invoiceId', i.id, 'companyId', i.company_id)
       FROM invoices i
      WHERE i.company_id = $1 AND i.id = ANY($2::bigint[])
      ORDER BY i.id`,
    [companyId, invoiceIds, JOBS.invoiceIssued.queue, JOBS.invoiceIssued.name],
  );
}
