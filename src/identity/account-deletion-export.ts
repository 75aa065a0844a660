import { EntityManager } from 'typeorm';

/** What the billing back office learns when a customer deletes their portal account (the customer record stays). */
export interface AccountDeletionExport {
  companyId: number;
  deletedAt: Date;
  payload: { customerId: number; customerCode: string; customerExternalRef: string | null; deletedAt: string };
}

/** The deleted account's customer, by the back office's customer code; null for an unknown customer. */
export async function describeAccountDeletion(
  manager: EntityManager,
  ref: { companyId: number; customerId: number },
  deletedAt: Date,
): Promise<AccountDeletionExport | null> {
  const [row] = (await manager.query(`SELECT code, external_ref FROM customers WHERE company_id = $1 AND id = $2`, [
    ref.companyId,
    ref.customerId,
  ])) as Array<{
    code: string;
    external_ref: string | null;
  }>;
  if (!row) return null;
  return {
    companyId: ref.companyId,
    deletedAt,
    payload: {
      customerId: ref.customerId,
      customerCode: row.code,
      customerExternalRef: row.external_ref,
      deletedAt: deletedAt.toISOString(),
    },
  };
}
