import { MigrationInterface, QueryRunner } from 'typeorm';

const WITH_EXTERNAL_REF = ['customers', 'service_points', 'meters', 'reading_windows', 'invoices'] as const;

/**
 * What the billing back office's import needs:
 * - `external_ref`, the back office's own id, on every table it owns (readings and debt
 *   items have it since 1764374400000), unique per company: the key the idempotent
 *   upserts conflict on (`ON CONFLICT (company_id, external_ref) WHERE external_ref IS NOT NULL`).
 *   Rows the portal made itself (the demo loader) keep null.
 * - `invoices.content_hash`: SHA-256 of an imported invoice's lines, VAT summary and PDF,
 *   so a re-sent invoice whose lines are the same is recognised as unchanged in one comparison.
 * - `invoice_documents`: the back office's own PDF of an invoice, served instead of the
 *   portal's rendering; a table of its own so the invoice list never reads the bytes.
 * - `received_payments`: payments received elsewhere (bank transfer, cash, postal order,
 *   direct debit), shown beside the card payments; the open amounts they settle come with
 *   the debt items.
 */
export class BackOfficeImport1764706100000 implements MigrationInterface {
  name = 'BackOfficeImport1764706100000';

  public async up(q: QueryRunner): Promise<void> {
    for (const table of WITH_EXTERNAL_REF) {
      await q.query(`
        ALTER TABLE ${table}
          ADD COLUMN external_ref text CHECK (external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100)`);
      await q.query(`CREATE UNIQUE INDEX ${table}_external_ref_key ON ${table} (company_id, external_ref) WHERE external_ref IS NOT NULL`);
    }
    await q.query(`ALTER TABLE invoices ADD COLUMN content_hash text CHECK (content_hash IS NULL OR content_hash ~ '^[0-9a-f]{64}$')`);

    await q.query(`
      CREATE TABLE invoice_documents (
        company_id   integer NOT NULL,
        invoice_id   bigint NOT NULL,
        pdf          bytea NOT NULL CHECK (octet_length(pdf) BETWEEN 5 AND 5242880),
        received_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, invoice_id),
        CONSTRAINT invoice_documents_company_id_invoice_id_fkey FOREIGN KEY (company_id, invoice_id)
          REFERENCES invoices (company_id, id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE received_payments (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id    integer NOT NULL,
        customer_id   bigint NOT NULL,
        external_ref  text NOT NULL CHECK (length(external_ref) BETWEEN 1 AND 100),
        method        text NOT NULL CHECK (method IN ('bank_transfer', 'cash', 'postal_order', 'direct_debit')),
        amount        integer NOT NULL CHECK (amount > 0),
        paid_on       date NOT NULL,
        reference     text CHECK (reference IS NULL OR length(reference) BETWEEN 1 AND 100),
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT received_payments_external_ref_key UNIQUE (company_id, external_ref),
        CONSTRAINT received_payments_company_id_customer_id_fkey FOREIGN KEY (company_id, customer_id)
          REFERENCES customers (company_id, id)
      )`);
    await q.query(`CREATE INDEX received_payments_customer_idx ON received_payments (company_id, customer_id, paid_on DESC, id DESC)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE received_payments`);
    await q.query(`DROP TABLE invoice_documents`);
    await q.query(`ALTER TABLE invoices DROP COLUMN content_hash`);
    for (const table of WITH_EXTERNAL_REF) await q.query(`ALTER TABLE ${table} DROP COLUMN external_ref`);
  }
}
