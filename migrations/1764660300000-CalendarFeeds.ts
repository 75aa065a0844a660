import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * calendar_feeds: a customer's secret iCal feed URL. Only the SHA-256 of the token is
 * stored; making a new one or deleting the row revokes the old URL at once.
 */
export class CalendarFeeds1764660300000 implements MigrationInterface {
  name = 'CalendarFeeds1764660300000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE calendar_feeds (
        company_id   integer NOT NULL,
        customer_id  bigint NOT NULL,
        token_hash   text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        created_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, customer_id),
        CONSTRAINT calendar_feeds_token_hash_key UNIQUE (token_hash),
        CONSTRAINT calendar_feeds_company_id_customer_id_fkey FOREIGN KEY (company_id, customer_id)
          REFERENCES customers (company_id, id) ON DELETE CASCADE
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE calendar_feeds`);
  }
}
