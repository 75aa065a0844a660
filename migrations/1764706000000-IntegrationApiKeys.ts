import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The billing back office's API keys, one company each, and the audit trail of their
 * creation, revocation and every call. A key is `ik_<prefix>_<secret>`: the prefix is
 * public (it finds the row and names the key on the admin page), only the SHA-256 of
 * the whole key is stored, so a database dump holds no usable key.
 */
export class IntegrationApiKeys1764706000000 implements MigrationInterface {
  name = 'IntegrationApiKeys1764706000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE integration_api_keys (
        id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id           integer NOT NULL,
        name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        key_prefix           text NOT NULL CHECK (key_prefix ~ '^[0-9a-f]{12}$'),
        secret_hash          text NOT NULL CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
        created_by_clerk_id  integer NOT NULL,
        created_at           timestamptz NOT NULL DEFAULT now(),
        revoked_by_clerk_id  integer,
        revoked_at           timestamptz,
        last_used_at         timestamptz,
        CONSTRAINT integration_api_keys_key_prefix_key UNIQUE (key_prefix),
        CONSTRAINT integration_api_keys_company_id_key UNIQUE (company_id, id),
        CONSTRAINT integration_api_keys_company_id_fkey FOREIGN KEY (company_id) REFERENCES companies (id),
        CONSTRAINT integration_api_keys_company_id_created_by_clerk_id_fkey
          FOREIGN KEY (company_id, created_by_clerk_id) REFERENCES clerks (company_id, id),
        CONSTRAINT integration_api_keys_company_id_revoked_by_clerk_id_fkey
          FOREIGN KEY (company_id, revoked_by_clerk_id) REFERENCES clerks (company_id, id),
        CONSTRAINT integration_api_keys_revoked_check CHECK ((revoked_at IS NULL) = (revoked_by_clerk_id IS NULL))
      )`);
    await q.query(`CREATE INDEX integration_api_keys_company_idx ON integration_api_keys (company_id, id)`);

    await q.query(`
      CREATE TABLE integration_audit_events (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id  integer NOT NULL,
        key_id      bigint NOT NULL,
        event       text NOT NULL CHECK (event IN ('key_created', 'key_revoked', 'call', 'call_refused')),
        clerk_id    integer,
        operation   text CHECK (operation IS NULL OR length(operation) <= 200),
        status      smallint,
        detail      text CHECK (detail IS NULL OR length(detail) <= 500),
        ip          text CHECK (ip IS NULL OR length(ip) <= 64),
        created_at  timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT integration_audit_events_company_id_key_id_fkey
          FOREIGN KEY (company_id, key_id) REFERENCES integration_api_keys (company_id, id),
        CONSTRAINT integration_audit_events_company_id_clerk_id_fkey
          FOREIGN KEY (company_id, clerk_id) REFERENCES clerks (company_id, id)
      )`);
    await q.query(`CREATE INDEX integration_audit_events_key_idx ON integration_audit_events (company_id, key_id, id)`);
    await q.query(`
      CREATE TRIGGER integration_audit_events_append_only
      BEFORE UPDATE OR DELETE ON integration_audit_events
      FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE integration_audit_events`);
    await q.query(`DROP TABLE integration_api_keys`);
  }
}
