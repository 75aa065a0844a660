import { MigrationInterface, QueryRunner } from 'typeorm';

const EVENTS_BEFORE = `'login_succeeded', 'login_failed', 'lockout', 'password_changed', 'password_reset', 'account_deleted',
  'account_registered', 'logout', 'totp_enrolled', 'clerk_created'`;
const EVENTS_AFTER = `${EVENTS_BEFORE}, 'totp_reset', 'clerk_deactivated', 'clerk_reactivated', 'clerk_role_changed'`;

/**
 * Admins administer clerks: reset a second factor, deactivate, reactivate, change a role.
 * - clerks.totp_required: set when an admin resets a clerk's second factor, so that the
 *   clerk must enrol a new one at the next login whatever the role (admins must anyway).
 * - security_events.event allows the four new events. The table is append-only; the
 *   wider CHECK only has to read the existing rows.
 */
export class ClerkAdministration1764547200000 implements MigrationInterface {
  name = 'ClerkAdministration1764547200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clerks ADD COLUMN totp_required boolean NOT NULL DEFAULT false`);
    await q.query(`
      ALTER TABLE security_events
        DROP CONSTRAINT security_events_event_check,
        ADD CONSTRAINT security_events_event_check CHECK (event IN (${EVENTS_AFTER}))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // NOT VALID: the rows already written with the new events stay (the trail is append-only);
    // the narrower rule holds for new rows.
    await q.query(`
      ALTER TABLE security_events
        DROP CONSTRAINT security_events_event_check,
        ADD CONSTRAINT security_events_event_check CHECK (event IN (${EVENTS_BEFORE})) NOT VALID`);
    await q.query(`ALTER TABLE clerks DROP COLUMN totp_required`);
  }
}
