import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Closes gaps of the initial schema:
 * - a company-led index on the referencing side of every composite foreign key
 *   that had none, so the key's checks, the cascade from messages and the
 *   look-ups by parent read an index instead of the whole table;
 * - `external_ref`, the billing back office's own id of a debt item or a
 *   reading, unique per company where given, so an import can upsert by it;
 * - CHECKs keeping request_transitions.from_state/to_state to the workflow
 *   states, like requests.state.
 */
export class IndexesAndChecks1764374400000 implements MigrationInterface {
  name = 'IndexesAndChecks1764374400000';

  public async up(q: QueryRunner): Promise<void> {
    // Deleting a message cascades to its reads; the primary key leads with customer_id.
    await q.query(`CREATE INDEX message_reads_message_idx ON message_reads (company_id, message_id)`);
    await q.query(`CREATE INDEX messages_created_by_clerk_idx ON messages (company_id, created_by_clerk_id)`);
    await q.query(`CREATE INDEX invoices_service_point_idx ON invoices (company_id, service_point_id)`);
    await q.query(`CREATE INDEX debt_items_invoice_idx ON debt_items (company_id, invoice_id)`);
    await q.query(`CREATE INDEX requests_assigned_clerk_idx ON requests (company_id, assigned_clerk_id)`);

    // No natural key fits: a reference is not unique (interest on one invoice may be charged
    // more than once), and a correction of a reading may change its date, value or kind.
    await q.query(`
      ALTER TABLE debt_items
        ADD COLUMN external_ref text CHECK (external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100)`);
    await q.query(
      `CREATE UNIQUE INDEX debt_items_external_ref_key ON debt_items (company_id, external_ref) WHERE external_ref IS NOT NULL`,
    );
    await q.query(`
      ALTER TABLE readings
        ADD COLUMN external_ref text CHECK (external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100)`);
    await q.query(`CREATE UNIQUE INDEX readings_external_ref_key ON readings (company_id, external_ref) WHERE external_ref IS NOT NULL`);

    // The states of libs/workflow/request-workflow.ts (WORKFLOW_STATES), as in requests_state_check.
    // Named as Postgres would name them. request_transitions is append-only; adding a CHECK updates no row.
    await q.query(`
      ALTER TABLE request_transitions
        ADD CONSTRAINT request_transitions_from_state_check CHECK (from_state IS NULL OR from_state IN (
          'submitted', 'in_review', 'approved', 'applied', 'rejected', 'withdrawn', 'apply_failed')),
        ADD CONSTRAINT request_transitions_to_state_check CHECK (to_state IN (
          'submitted', 'in_review', 'approved', 'applied', 'rejected', 'withdrawn', 'apply_failed'))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE request_transitions
        DROP CONSTRAINT request_transitions_to_state_check,
        DROP CONSTRAINT request_transitions_from_state_check`);
    // Dropping the column drops its CHECK and its unique index.
    await q.query(`ALTER TABLE readings DROP COLUMN external_ref`);
    await q.query(`ALTER TABLE debt_items DROP COLUMN external_ref`);
    for (const index of [
      'requests_assigned_clerk_idx',
      'debt_items_invoice_idx',
      'invoices_service_point_idx',
      'messages_created_by_clerk_idx',
      'message_reads_message_idx',
    ]) {
      await q.query(`DROP INDEX ${index}`);
    }
  }
}
