import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The security audit trail: logins, failures, lockouts, password changes and
 * account lifecycle of customers and clerks, per company. Append-only (the
 * trigger of the initial schema refuses UPDATE and DELETE); the two indexes serve
 * the supervisors' list, all events or one actor's, newest first, keyset-paged.
 */
export class SecurityEvents1764288100000 implements MigrationInterface {
  name = 'SecurityEvents1764288100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE security_events (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id  integer NOT NULL REFERENCES companies(id),
        actor_kind  text NOT NULL CHECK (actor_kind IN ('customer', 'clerk')),
        actor_id    bigint,
        event       text NOT NULL CHECK (event IN ('login_succeeded', 'login_failed', 'lockout', 'password_changed',
                      'password_reset', 'account_deleted', 'account_registered', 'logout', 'totp_enrolled', 'clerk_created')),
        ip          text CHECK (ip IS NULL OR length(ip) <= 64),
        detail      text CHECK (detail IS NULL OR length(detail) <= 500),
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX security_events_company_idx ON security_events (company_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX security_events_actor_idx ON security_events (company_id, actor_kind, actor_id, id DESC)`);
    await q.query(`
      CREATE TRIGGER security_events_append_only
      BEFORE UPDATE OR DELETE ON security_events
      FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only()`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE security_events`);
  }
}
