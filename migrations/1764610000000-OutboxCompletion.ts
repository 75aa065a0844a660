import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An outbox row is done when its consumer says so, not when it reaches Redis.
 * - outbox.completed_at: set by the consumer in the transaction of its effect.
 * - outbox_unfinished_idx: the rows relayed but not completed, per company, for the
 *   relay's re-send and the supervisors' view of work waiting too long.
 * Rows relayed before this release count as completed at their relay time: re-sending
 * a backlog of old, long-done jobs at deploy would only repeat idempotent no-ops.
 */
export class OutboxCompletion1764610000000 implements MigrationInterface {
  name = 'OutboxCompletion1764610000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN completed_at timestamptz`);
    await q.query(`UPDATE outbox SET completed_at = relayed_at WHERE relayed_at IS NOT NULL`);
    await q.query(`CREATE INDEX outbox_unfinished_idx ON outbox (company_id, relayed_at) WHERE completed_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_unfinished_idx`);
    await q.query(`ALTER TABLE outbox DROP COLUMN completed_at`);
  }
}
