import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { addToOutbox } from '../../libs/outbox/outbox';
import { JOBS } from '../jobs';

export interface FailedEmailView {
  id: number;
  template: string;
  recipient: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

/** E-mails that failed every retry, for admins to see and send again. */
@Injectable()
export class FailedEmailService {
  constructor(private readonly dataSource: DataSource) {}

  async list(companyId: number, limit = 100): Promise<FailedEmailView[]> {
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(
      `SELECT id, template, recipient, attempts, last_error, created_at FROM email_log
        WHERE company_id = $1 AND status = 'failed' ORDER BY created_at DESC, id DESC LIMIT $2`,
      [companyId, limit],
    );
    return rows.map((row) => ({
      id: Number(row.id),
      template: row.template as string,
      recipient: row.recipient as string,
      attempts: row.attempts as number,
      lastError: row.last_error as string | null,
      createdAt: row.created_at as Date,
    }));
  }

  /**
   * Queues a failed e-mail again (a new outbox row, so a new job with fresh retries).
   * False when the company has no failed e-mail with this id (sent, queued, or another's).
   */
  async resend(companyId: number, emailId: number): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      // TypeORM answers an UPDATE with [rows, affected count].
      const [updated]: [unknown[], number] = await manager.query(
        `UPDATE email_log SET status = 'queued' WHERE company_id = $1 AND id = $2 AND status = 'failed' RETURNING id`,
        [companyId, emailId],
      );
      if (updated.length === 0) return false;
      await addToOutbox(manager, JOBS.sendEmail, { emailId }, companyId);
      return true;
    });
  }
}
