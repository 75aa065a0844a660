import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduled reminders (due date, overdue, reading window opened / closing).
 * - companies: how many days before a due date, and before a reading window closes,
 *   the reminders go (per company).
 * - reminder_runs: one row per company, kind and day a scheduler fired; a re-run of
 *   the same day continues the same row.
 * - reminders: one row per reminder decided (queued or skipped by preference). Its
 *   unique key is the at-most-once rule: a re-run, a crash or two racing workers can
 *   never claim the same (customer, kind, invoice or window) twice. email_id is set
 *   in the claiming transaction, right after the claim (so it has no CHECK against outcome).
 */
export class ScheduledReminders1764660000000 implements MigrationInterface {
  name = 'ScheduledReminders1764660000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE companies
        ADD COLUMN due_date_reminder_days smallint NOT NULL DEFAULT 5,
        ADD COLUMN reading_window_reminder_days smallint NOT NULL DEFAULT 3,
        ADD CONSTRAINT companies_due_date_reminder_days_check CHECK (due_date_reminder_days BETWEEN 1 AND 60),
        ADD CONSTRAINT companies_reading_window_reminder_days_check CHECK (reading_window_reminder_days BETWEEN 1 AND 60)`);
    await q.query(`
      CREATE TABLE reminder_runs (
        id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id             integer NOT NULL REFERENCES companies(id),
        kind                   text NOT NULL CHECK (kind IN ('due_date', 'overdue', 'window_opened', 'window_closing')),
        run_on                 date NOT NULL,
        started_at             timestamptz NOT NULL DEFAULT now(),
        finished_at            timestamptz,
        queued                 integer NOT NULL DEFAULT 0,
        skipped_by_preference  integer NOT NULL DEFAULT 0,
        CONSTRAINT reminder_runs_company_kind_day_key UNIQUE (company_id, kind, run_on)
      )`);
    await q.query(`CREATE INDEX reminder_runs_company_started_idx ON reminder_runs (company_id, started_at DESC, id DESC)`);
    await q.query(`
      CREATE TABLE reminders (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id   integer NOT NULL,
        customer_id  bigint NOT NULL,
        kind         text NOT NULL CHECK (kind IN ('due_date', 'overdue', 'window_opened', 'window_closing')),
        subject_id   bigint NOT NULL,
        run_id       bigint NOT NULL REFERENCES reminder_runs(id),
        outcome      text NOT NULL CHECK (outcome IN ('queued', 'skipped_by_preference')),
        email_id     bigint REFERENCES email_log(id),
        created_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT reminders_once_key UNIQUE (company_id, customer_id, kind, subject_id),
        CONSTRAINT reminders_company_id_customer_id_fkey FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, id)
      )`);
    await q.query(`CREATE INDEX reminders_run_idx ON reminders (run_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE reminders`);
    await q.query(`DROP TABLE reminder_runs`);
    await q.query(`
      ALTER TABLE companies
        DROP COLUMN due_date_reminder_days,
        DROP COLUMN reading_window_reminder_days`);
  }
}
