import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PreparedStatement, preparedQuery } from '../../libs/typeorm/prepared-query';

/** The customer's published messages not yet read: a probe of message_recipients_unread_idx. */
export const UNREAD_MESSAGES: PreparedStatement = {
  name: 'notifications_unread_count',
  text: `
SELECT count(*)::int AS unread FROM message_recipients r JOIN messages m ON m.company_id = r.company_id AND m.id = r.message_id
 WHERE r.company_id = $1 AND r.customer_id = $2 AND r.read_at IS NULL AND m.published_at <= now()`,
};

/** Counts of the messages inbox other modules show (the customer's home, the menu). */
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
