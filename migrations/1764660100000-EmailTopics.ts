import { MigrationInterface, QueryRunner } from 'typeorm';

const TOPICS = `'reading_recorded', 'address_changed', 'contract_ended', 'invoice_issued', 'provider_reading_date',
  'reading_window_due', 'payment_checked', 'invoice_overdue', 'due_date_reminder'`;

/**
 * email_log remembers whom an e-mail is for and under which notification topic, so the
 * sender can add that topic's one-click unsubscribe link (RFC 8058). Both stay null for
 * e-mails a customer cannot turn off (verification, password reset).
 */
export class EmailTopics1764660100000 implements MigrationInterface {
  name = 'EmailTopics1764660100000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE email_log
        ADD COLUMN customer_id bigint,
        ADD COLUMN topic text,
        ADD CONSTRAINT email_log_topic_check CHECK (topic IS NULL OR topic IN (${TOPICS})),
        ADD CONSTRAINT email_log_check CHECK ((topic IS NULL) = (customer_id IS NULL)),
        ADD CONSTRAINT email_log_company_id_customer_id_fkey FOREIGN KEY (company_id, customer_id) REFERENCES customers (company_id, id)`);
    await q.query(`CREATE INDEX email_log_customer_idx ON email_log (company_id, customer_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX email_log_customer_idx`);
    await q.query(`ALTER TABLE email_log DROP COLUMN topic, DROP COLUMN customer_id`);
  }
}
