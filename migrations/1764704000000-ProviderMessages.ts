import { MigrationInterface, QueryRunner } from 'typeorm';

const TOPICS_BEFORE = `'reading_recorded', 'address_changed', 'contract_ended', 'invoice_issued', 'provider_reading_date',
  'reading_window_due', 'payment_checked', 'invoice_overdue', 'due_date_reminder'`;
const TOPICS_AFTER = `${TOPICS_BEFORE}, 'provider_message'`;

/**
 * Provider messages are stored once and reach their customers through recipient rows:
 * - message_recipients: one row per (customer, message), written by one INSERT … SELECT
 *   when a supervisor sends; read_at replaces message_reads. The recipients are fixed
 *   when the message is sent (a segment such as "overdue debt" means overdue then).
 *   Existing company-wide messages (customer_id NULL) get a row for every customer.
 * - messages: body_format (plain or Markdown), segment (the filters a message to many
 *   was sent with; '{}' is every customer), recipient_count, by_email and emails_queued.
 * - message_attachments: at most one PDF or image per message, in bytea (512 KiB at most).
 * - the notification topic provider_message: the e-mail copy of a message obeys it.
 */
export class ProviderMessages1764704000000 implements MigrationInterface {
  name = 'ProviderMessages1764704000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE messages
        ADD COLUMN body_format text NOT NULL DEFAULT 'plain',
        ADD COLUMN segment jsonb,
        ADD COLUMN recipient_count integer NOT NULL DEFAULT 0,
        ADD COLUMN by_email boolean NOT NULL DEFAULT false,
        ADD COLUMN emails_queued integer NOT NULL DEFAULT 0,
        ADD CONSTRAINT messages_body_format_check CHECK (body_format IN ('plain', 'markdown')),
        ADD CONSTRAINT messages_counts_check CHECK (recipient_count >= 0 AND emails_queued >= 0)`);
    await q.query(`UPDATE messages SET segment = '{}' WHERE customer_id IS NULL`);
    await q.query(`ALTER TABLE messages ADD CONSTRAINT messages_audience_check CHECK ((customer_id IS NULL) <> (segment IS NULL))`);
    await q.query(`CREATE INDEX messages_sent_idx ON messages (company_id, published_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE message_recipients (
        company_id   integer NOT NULL,
        customer_id  bigint NOT NULL,
        message_id   bigint NOT NULL,
        read_at      timestamptz,
        CONSTRAINT message_recipients_pkey PRIMARY KEY (company_id, customer_id, message_id),
        CONSTRAINT message_recipients_company_id_message_id_fkey FOREIGN KEY (company_id, message_id)
          REFERENCES messages (company_id, id) ON DELETE CASCADE,
        CONSTRAINT message_recipients_company_id_customer_id_fkey FOREIGN KEY (company_id, customer_id)
          REFERENCES customers (company_id, id)
      )`);
    await q.query(`CREATE INDEX message_recipients_message_idx ON message_recipients (company_id, message_id)`);
    // The menu's unread count on every page is a probe of this small index.
    await q.query(`CREATE INDEX message_recipients_unread_idx ON message_recipients (company_id, customer_id) WHERE read_at IS NULL`);
    // The sent list's read counts look only at read rows.
    await q.query(`CREATE INDEX message_recipients_read_idx ON message_recipients (company_id, message_id) WHERE read_at IS NOT NULL`);
    await q.query(`
      INSERT INTO message_recipients (company_id, customer_id, message_id, read_at)
      SELECT m.company_id, c.id, m.id, r.read_at
        FROM messages m
        JOIN customers c ON c.company_id = m.company_id AND (m.customer_id IS NULL OR c.id = m.customer_id)
        LEFT JOIN message_reads r ON r.company_id = m.company_id AND r.customer_id = c.id AND r.message_id = m.id`);
    await q.query(`
      UPDATE messages m SET recipient_count = (SELECT count(*) FROM message_recipients r WHERE r.company_id = m.company_id AND r.message_id = m.id)`);
    await q.query(`DROP TABLE message_reads`);

    await q.query(`
      CREATE TABLE message_attachments (
        company_id    integer NOT NULL,
        message_id    bigint NOT NULL,
        file_name     text NOT NULL,
        content_type  text NOT NULL,
        size          integer NOT NULL,
        content       bytea NOT NULL,
        CONSTRAINT message_attachments_pkey PRIMARY KEY (company_id, message_id),
        CONSTRAINT message_attachments_company_id_message_id_fkey FOREIGN KEY (company_id, message_id)
          REFERENCES messages (company_id, id) ON DELETE CASCADE,
        CONSTRAINT message_attachments_file_name_check CHECK (length(file_name) BETWEEN 1 AND 200),
        CONSTRAINT message_attachments_content_type_check CHECK (content_type IN ('application/pdf', 'image/png', 'image/jpeg')),
        CONSTRAINT message_attachments_size_check CHECK (size BETWEEN 1 AND 524288 AND octet_length(content) = size)
      )`);

    await q.query(`ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_topic_check`);
    await q.query(
      `ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_topic_check CHECK (topic IN (${TOPICS_AFTER}))`,
    );
    await q.query(`ALTER TABLE email_log DROP CONSTRAINT email_log_topic_check`);
    await q.query(`ALTER TABLE email_log ADD CONSTRAINT email_log_topic_check CHECK (topic IS NULL OR topic IN (${TOPICS_AFTER}))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM email_log WHERE topic = 'provider_message'`);
    await q.query(`DELETE FROM notification_preferences WHERE topic = 'provider_message'`);
    await q.query(`ALTER TABLE email_log DROP CONSTRAINT email_log_topic_check`);
    await q.query(`ALTER TABLE email_log ADD CONSTRAINT email_log_topic_check CHECK (topic IS NULL OR topic IN (${TOPICS_BEFORE}))`);
    await q.query(`ALTER TABLE notification_preferences DROP CONSTRAINT notification_preferences_topic_check`);
    await q.query(
      `ALTER TABLE notification_preferences ADD CONSTRAINT notification_preferences_topic_check CHECK (topic IN (${TOPICS_BEFORE}))`,
    );
    await q.query(`DROP TABLE message_attachments`);
    await q.query(`
      CREATE TABLE message_reads (
        company_id   integer NOT NULL,
        message_id   bigint NOT NULL,
        customer_id  bigint NOT NULL,
        read_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, customer_id, message_id),
        CONSTRAINT message_reads_company_id_message_id_fkey FOREIGN KEY (company_id, message_id) REFERENCES messages(company_id, id) ON DELETE CASCADE,
        CONSTRAINT message_reads_company_id_customer_id_fkey FOREIGN KEY (company_id, customer_id) REFERENCES customers(company_id, id)
      )`);
    await q.query(`CREATE INDEX message_reads_message_idx ON message_reads (company_id, message_id)`);
    await q.query(`
      INSERT INTO message_reads (company_id, message_id, customer_id, read_at)
      SELECT company_id, message_id, customer_id, read_at FROM message_recipients WHERE read_at IS NOT NULL`);
    // The old schema knew one customer or everyone: messages to a narrower segment go, with their rows.
    await q.query(`DELETE FROM messages WHERE segment IS NOT NULL AND segment <> '{}'::jsonb`);
    await q.query(`DROP TABLE message_recipients`);
    await q.query(`DROP INDEX messages_sent_idx`);
    await q.query(`
      ALTER TABLE messages
        DROP CONSTRAINT messages_audience_check,
        DROP COLUMN emails_queued, DROP COLUMN by_email, DROP COLUMN recipient_count, DROP COLUMN segment, DROP COLUMN body_format`);
  }
}
