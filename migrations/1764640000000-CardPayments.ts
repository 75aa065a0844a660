import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Card payments through the utility's bank (issue 14).
 * - payments follow created → started → succeeded | failed | cancelled | expired
 *   (pending/confirmed rows of the first schema become started/succeeded). A payment
 *   names the gateway, the order reference the bank knows it by, the debt items the
 *   customer selected, the bank's deadline, what the bank reported (amount and
 *   currency), and a flag for a clerk when that differs from what was started.
 *   The bank's transaction id (gateway_reference) stays unique per gateway.
 * - payment_events: the append-only trail of a payment (state changes, the clerk's
 *   manual allocation), the audit the clerk's page shows.
 */
export class CardPayments1764640000000 implements MigrationInterface {
  name = 'CardPayments1764640000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payments DROP CONSTRAINT payments_status_check, DROP CONSTRAINT payments_check`);
    await q.query(
      `UPDATE payments SET status = CASE status WHEN 'pending' THEN 'started' WHEN 'confirmed' THEN 'succeeded' ELSE status END`,
    );
    await q.query(`DROP INDEX payments_gateway_reference_key`);
    await q.query(`
      ALTER TABLE payments
        ADD COLUMN gateway         text NOT NULL DEFAULT 'simplepay',
        ADD COLUMN order_ref       uuid NOT NULL DEFAULT gen_random_uuid(),
        ADD COLUMN currency        text NOT NULL DEFAULT 'HUF',
        ADD COLUMN debt_item_ids   bigint[] NOT NULL DEFAULT '{}',
        ADD COLUMN language        text NOT NULL DEFAULT 'hu',
        ADD COLUMN expires_at      timestamptz,
        ADD COLUMN finished_at     timestamptz,
        ADD COLUMN paid_amount     integer,
        ADD COLUMN paid_currency   text,
        ADD COLUMN flagged         boolean NOT NULL DEFAULT false,
        ADD COLUMN flag_reason     text,
        ADD COLUMN updated_at      timestamptz NOT NULL DEFAULT now(),
        ADD CONSTRAINT payments_status_check CHECK (status IN ('created', 'started', 'succeeded', 'failed', 'cancelled', 'expired')),
        ADD CONSTRAINT payments_check CHECK ((status = 'succeeded') = (confirmed_at IS NOT NULL)),
        ADD CONSTRAINT payments_gateway_check CHECK (gateway IN ('simplepay')),
        ADD CONSTRAINT payments_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        ADD CONSTRAINT payments_language_check CHECK (language IN ('hu', 'en')),
        ADD CONSTRAINT payments_paid_amount_check CHECK (paid_amount IS NULL OR paid_amount >= 0),
        ADD CONSTRAINT payments_flag_reason_check CHECK (flag_reason IS NULL OR length(flag_reason) <= 200),
        ADD CONSTRAINT payments_order_ref_key UNIQUE (order_ref)`);
    await q.query(`ALTER TABLE payments ALTER COLUMN order_ref DROP DEFAULT, ALTER COLUMN debt_item_ids DROP DEFAULT`);
    await q.query(
      `CREATE UNIQUE INDEX payments_gateway_reference_key ON payments (gateway, gateway_reference) WHERE gateway_reference IS NOT NULL`,
    );
    // The reconciler's work list, and the clerk's list (newest first, optionally flagged or by state).
    await q.query(`CREATE INDEX payments_started_idx ON payments (expires_at, id) WHERE status IN ('created', 'started')`);
    await q.query(`CREATE INDEX payments_company_created_idx ON payments (company_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX payments_flagged_idx ON payments (company_id, created_at DESC, id DESC) WHERE flagged`);

    await q.query(`
      CREATE TABLE payment_events (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id  integer NOT NULL,
        payment_id  bigint NOT NULL,
        event       text NOT NULL CHECK (event IN ('started', 'succeeded', 'failed', 'cancelled', 'expired', 'flagged', 'allocated', 'allocated_by_clerk')),
        actor_kind  text NOT NULL CHECK (actor_kind IN ('customer', 'bank', 'system', 'clerk')),
        actor_id    bigint,
        detail      text CHECK (detail IS NULL OR length(detail) <= 500),
        created_at  timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (company_id, payment_id) REFERENCES payments(company_id, id)
      )`);
    await q.query(`CREATE INDEX payment_events_payment_idx ON payment_events (company_id, payment_id, id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE payment_events`);
    await q.query(`DROP INDEX payments_flagged_idx`);
    await q.query(`DROP INDEX payments_company_created_idx`);
    await q.query(`DROP INDEX payments_started_idx`);
    await q.query(`DROP INDEX payments_gateway_reference_key`);
    await q.query(`
      ALTER TABLE payments
        DROP CONSTRAINT payments_status_check,
        DROP CONSTRAINT payments_check,
        DROP COLUMN gateway, DROP COLUMN order_ref, DROP COLUMN currency, DROP COLUMN debt_item_ids, DROP COLUMN language,
        DROP COLUMN expires_at, DROP COLUMN finished_at, DROP COLUMN paid_amount, DROP COLUMN paid_currency,
        DROP COLUMN flagged, DROP COLUMN flag_reason, DROP COLUMN updated_at`);
    await q.query(`DELETE FROM payment_allocations WHERE payment_id IN (SELECT id FROM payments WHERE status IN ('created', 'expired'))`);
    await q.query(`DELETE FROM payments WHERE status IN ('created', 'expired')`);
    await q.query(
      `UPDATE payments SET status = CASE status WHEN 'started' THEN 'pending' WHEN 'succeeded' THEN 'confirmed' ELSE status END`,
    );
    await q.query(`
      ALTER TABLE payments
        ADD CONSTRAINT payments_status_check CHECK (status IN ('pending', 'confirmed', 'failed', 'cancelled')),
        ADD CONSTRAINT payments_check CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL))`);
    await q.query(
      `CREATE UNIQUE INDEX payments_gateway_reference_key ON payments (company_id, gateway_reference) WHERE gateway_reference IS NOT NULL`,
    );
  }
}
