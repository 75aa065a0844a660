import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every clerk needs a second factor now, not only admins. A company may give clerks and
 * supervisors a grace period for their first enrolment, counted from the account's
 * creation (0, the default: at once). Admins, and clerks whose factor an admin reset,
 * enrol at once whatever the setting.
 */
export class TotpForEveryClerk1764600100000 implements MigrationInterface {
  name = 'TotpForEveryClerk1764600100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE companies
        ADD COLUMN totp_grace_days integer NOT NULL DEFAULT 0,
        ADD CONSTRAINT companies_totp_grace_days_check CHECK (totp_grace_days BETWEEN 0 AND 90)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE companies DROP COLUMN totp_grace_days`);
  }
}
