import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * email_log.attachments: files an e-mail carries, named (e.g. `{"kind": "invoice-pdf",
 * "customerId": 7, "id": 42}`) rather than stored: the worker builds each when it sends,
 * from the records of the module that registered the kind.
 */
export class EmailAttachments1764705000000 implements MigrationInterface {
  name = 'EmailAttachments1764705000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE email_log ADD COLUMN attachments jsonb,
         ADD CONSTRAINT email_log_attachments_check CHECK (attachments IS NULL OR jsonb_typeof(attachments) = 'array')`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE email_log DROP COLUMN attachments`);
  }
}
