import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * requests.live_key: a kind may name what at most one of its requests may be
 * "live" about at a time (not withdrawn or rejected): a meter reading names its
 * meter and reading window. A partial unique index holds the rule, so two
 * submissions at once cannot both become the live one, and no row lock or
 * explicit transaction is needed for it.
 */
export class RequestLiveKey1764460800000 implements MigrationInterface {
  name = 'RequestLiveKey1764460800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE requests ADD COLUMN live_key text CHECK (live_key IS NULL OR length(live_key) BETWEEN 1 AND 200)`);
    // Reading requests written so far: the key ReadingService gives them (readingLiveKey).
    await q.query(`
      UPDATE requests SET live_key = subject_ref || ':window:' || (payload->>'windowId')
       WHERE kind = 'meter_reading' AND payload ? 'windowId'`);
    await q.query(`
      CREATE UNIQUE INDEX requests_live_key ON requests (company_id, kind, live_key)
       WHERE live_key IS NOT NULL AND state NOT IN ('withdrawn', 'rejected')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX requests_live_key`);
    await q.query(`ALTER TABLE requests DROP COLUMN live_key`);
  }
}
