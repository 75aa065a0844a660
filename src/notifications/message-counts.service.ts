import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PreparedStatement, preparedQuery } from '../../libs/typeorm/prepared-query';

/** The customer's published messages (their own and the company-wide ones) not yet marked read. */
export const UNREAD_MESSAGES: PreparedStatement = {
  name: 'notifications_unread_count',
  text: `
SELECT count(*)::int AS unread FROM messages m
 WHERE m.company_id = $1 AND (m.customer_id = $2 OR m.customer_id IS NULL) AND m.published_at <= now()
   AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.company_id = $1 AND r.customer_id = $2 AND r.message_id = m.id)`,
};

/** Counts of the messages inbox other modules show (the customer's home). */
@Injectable()
export class MessageCounts {
  constructor(private readonly dataSource: DataSource) {}

  async unread(companyId: number, customerId: number): Promise<number> {
    const [row] = await preparedQuery<{ unread: number }>(this.dataSource.manager, UNREAD_MESSAGES.name, UNREAD_MESSAGES.text, [
      companyId,
      customerId,
    ]);
    return row.unread;
  }
}
