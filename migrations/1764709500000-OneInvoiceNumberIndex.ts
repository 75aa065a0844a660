import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One index on an invoice's number instead of two: the unique constraint's
 * (company_id, invoice_number) and the clerk's prefix search index on
 * (company_id, invoice_number text_pattern_ops) held the same keys in the same order
 * (the database's collation is not C, so the plain one cannot serve LIKE 'prefix%').
 * A unique text_pattern_ops index serves both: equality is the same operator in both
 * operator classes, and an ON CONFLICT (company_id, invoice_number) still infers it.
 * Each invoice written maintains one index fewer (bench/import.ts).
 */
export class OneInvoiceNumberIndex1764709500000 implements MigrationInterface {
  name = 'OneInvoiceNumberIndex1764709500000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX invoices_number_prefix_idx`);
    await q.query(`ALTER TABLE invoices DROP CONSTRAINT invoices_company_number_key`);
    await q.query(`CREATE UNIQUE INDEX invoices_number_prefix_idx ON invoices (company_id, invoice_number text_pattern_ops)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX invoices_number_prefix_idx`);
    await q.query(`ALTER TABLE invoices ADD CONSTRAINT invoices_company_number_key UNIQUE (company_id, invoice_number)`);
    await q.query(`CREATE INDEX invoices_number_prefix_idx ON invoices (company_id, invoice_number text_pattern_ops)`);
  }
}
