import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * email_log.once_key: an e-mail that must go at most once (e.g. "request 42 was
 * rejected") names itself; a second queueing of the same key within the company is a no-op,
 * so a re-run job never queues the e-mail twice.
 */
export class EmailOnceKey1764660200000 implements MigrationInterface {
  name = 'EmailOnceKey1764660200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE email_log ADD COLUMN once_key text, ADD CONSTRAINT email_log_once_key_check CHECK (length(once_key) <= 200)`,
    );
    await q.query(`CREATE UNIQUE INDEX email_log_once_key ON email_log (company_id, once_key) WHERE once_key IS NOT NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX email_log_once_key`);
    await q.query(`ALTER TABLE email_log DROP COLUMN once_key`);
  }
}
