import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The export half of the billing back office's integration:
 * - integration_feed: append-only, what the portal decided, one row per source event
 *   (unique per company and source_key, so a re-run export job adds nothing). Writers
 *   leave `seq` empty; readers number the committed rows per company under an advisory
 *   lock (feed-writer.ts), so `seq` follows commit order without serialising the writers.
 * - integration_feed_consumers: how far each consumer (an API key or a named consumer)
 *   has acknowledged the feed.
 * - webhook_endpoints: where the feed is pushed, with the signing secret sealed
 *   (AES-256-GCM), the last delivered `seq` and the state of a failing delivery.
 */
export class IntegrationFeed1764707000000 implements MigrationInterface {
  name = 'IntegrationFeed1764707000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE integration_feed (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id   integer NOT NULL REFERENCES companies(id),
        seq          bigint CHECK (seq > 0),
        type         text NOT NULL CHECK (type IN ('reading.applied', 'customer_data.changed', 'e_invoice.consent', 'payment.recorded', 'payment.allocated', 'account.deleted')),
        source_key   text NOT NULL CHECK (length(source_key) BETWEEN 1 AND 200),
        occurred_at  timestamptz NOT NULL,
        payload      jsonb NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT integration_feed_company_id_seq_key UNIQUE (company_id, seq),
        CONSTRAINT integration_feed_company_id_source_key_key UNIQUE (company_id, source_key)
      )`);
    await q.query(`CREATE INDEX integration_feed_unsequenced_idx ON integration_feed (company_id, id) WHERE seq IS NULL`);
    await q.query(`
      CREATE TABLE integration_feed_consumers (
        company_id        integer NOT NULL REFERENCES companies(id),
        name              text NOT NULL CHECK (name ~ '^[A-Za-z0-9._-]{1,100}$'),
        acknowledged_seq  bigint NOT NULL DEFAULT 0 CHECK (acknowledged_seq >= 0),
        acknowledged_at   timestamptz,
        created_at        timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, name)
      )`);
    await q.query(`
      CREATE TABLE webhook_endpoints (
        id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id       integer NOT NULL REFERENCES companies(id),
        url              text NOT NULL CHECK (length(url) BETWEEN 8 AND 2000),
        secret_sealed    text NOT NULL,
        active           boolean NOT NULL DEFAULT true,
        delivered_seq    bigint NOT NULL CHECK (delivered_seq >= 0),
        failure_count    integer NOT NULL DEFAULT 0,
        last_error       text,
        last_attempt_at  timestamptz,
        stopped_at       timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX webhook_endpoints_company_idx ON webhook_endpoints (company_id, id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_endpoints`);
    await q.query(`DROP TABLE integration_feed_consumers`);
    await q.query(`DROP TABLE integration_feed`);
  }
}
