import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every customer change is a request (issue 15):
 * - requests.answer_due_at: by when the company answers; existing rows get the kind's
 *   default from their submission. The work queue is read in deadline order, so its
 *   partial index leads with the deadline after the company.
 * - request_answer_deadlines: a company's own answer deadline per request kind.
 * - profile_settings: which customer fields a company lets customers change online and
 *   which payment methods it offers (no row: the defaults in ProfileSettings).
 * - email_change_confirmations: a proposed data change with a new e-mail address waits
 *   here until the link sent to that address is opened (only the token's SHA-256 is kept).
 * - e_invoice_consents: the audit trail of applied e-invoice opt-ins and opt-outs, with
 *   the consent's text and time as the customer gave it.
 */
export class CustomerDataRequests1764650000000 implements MigrationInterface {
  name = 'CustomerDataRequests1764650000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests ADD COLUMN answer_due_at timestamptz`);
    await q.query(
      `UPDATE requests SET answer_due_at = created_at + make_interval(days => CASE kind WHEN 'meter_reading' THEN 5 ELSE 15 END)`,
    );
    await q.query(`ALTER TABLE requests ALTER COLUMN answer_due_at SET NOT NULL`);
    await q.query(`DROP INDEX requests_queue_idx`);
    await q.query(
      `CREATE INDEX requests_queue_idx ON requests (company_id, answer_due_at, id) WHERE state IN ('submitted', 'in_review', 'apply_failed')`,
    );

    await q.query(`
      CREATE TABLE request_answer_deadlines (
        company_id integer NOT NULL,
        kind text NOT NULL,
        answer_days integer NOT NULL,
        PRIMARY KEY (company_id, kind),
        CONSTRAINT request_answer_deadlines_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id),
        CONSTRAINT request_answer_deadlines_kind_check CHECK (kind ~ '^[a-z_]{2,40}$'),
        CONSTRAINT request_answer_deadlines_answer_days_check CHECK (answer_days BETWEEN 1 AND 365)
      )`);

    await q.query(`
      CREATE TABLE profile_settings (
        company_id integer NOT NULL,
        editable_fields text[] NOT NULL,
        payment_methods text[] NOT NULL,
        PRIMARY KEY (company_id),
        CONSTRAINT profile_settings_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id),
        CONSTRAINT profile_settings_editable_fields_check
          CHECK (editable_fields <@ ARRAY['email', 'phone', 'postcode', 'town', 'address', 'paymentMethod', 'name']::text[]),
        CONSTRAINT profile_settings_payment_methods_check
          CHECK (payment_methods <@ ARRAY['postal_order', 'bank_transfer', 'direct_debit', 'card']::text[] AND cardinality(payment_methods) > 0)
      )`);

    await q.query(`
      CREATE TABLE email_change_confirmations (
        id bigint GENERATED ALWAYS AS IDENTITY,
        company_id integer NOT NULL,
        customer_id bigint NOT NULL,
        token_hash text NOT NULL,
        email text NOT NULL,
        changes jsonb NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id),
        CONSTRAINT email_change_confirmations_token_hash_key UNIQUE (token_hash),
        CONSTRAINT email_change_confirmations_company_id_customer_id_fkey FOREIGN KEY (company_id, customer_id)
          REFERENCES customers (company_id, id) ON DELETE CASCADE,
        CONSTRAINT email_change_confirmations_token_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        CONSTRAINT email_change_confirmations_email_check CHECK (length(email) BETWEEN 3 AND 254)
      )`);
    await q.query(
      `CREATE INDEX email_change_confirmations_customer_idx ON email_change_confirmations (company_id, customer_id, created_at)`,
    );

    await q.query(`
      CREATE TABLE e_invoice_consents (
        id bigint GENERATED ALWAYS AS IDENTITY,
        company_id integer NOT NULL,
        customer_id bigint NOT NULL,
        service_point_id bigint NOT NULL,
        request_id bigint NOT NULL,
        opted_in boolean NOT NULL,
        consent_text text NOT NULL,
        consented_at timestamptz NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (id),
        CONSTRAINT e_invoice_consents_request_key UNIQUE (company_id, request_id),
        CONSTRAINT e_invoice_consents_company_id_service_point_id_fkey FOREIGN KEY (company_id, service_point_id)
          REFERENCES service_points (company_id, id),
        CONSTRAINT e_invoice_consents_company_id_request_id_fkey FOREIGN KEY (company_id, request_id)
          REFERENCES requests (company_id, id),
        CONSTRAINT e_invoice_consents_consent_text_check CHECK (length(consent_text) BETWEEN 1 AND 2000)
      )`);
    await q.query(`CREATE INDEX e_invoice_consents_service_point_idx ON e_invoice_consents (company_id, service_point_id, applied_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE e_invoice_consents`);
    await q.query(`DROP TABLE email_change_confirmations`);
    await q.query(`DROP TABLE profile_settings`);
    await q.query(`DROP TABLE request_answer_deadlines`);
    await q.query(`DROP INDEX requests_queue_idx`);
    await q.query(
      `CREATE INDEX requests_queue_idx ON requests (company_id, created_at, id) WHERE state IN ('submitted', 'in_review', 'apply_failed')`,
    );
    await q.query(`ALTER TABLE requests DROP COLUMN answer_due_at`);
  }
}
