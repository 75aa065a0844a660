import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** What the notifications module keeps about a customer's portal account, and forgets with it. */
@Injectable()
export class CustomerNotificationsService {
  /**
   * Deletes the customer's notification preferences and calendar feed (its secret URL must stop
   * working with the account) and forgets which messages they read, in the caller's transaction
   * (account deletion). The messages stay addressed to the customer, who may register again.
   */
  async forgetAccount(manager: EntityManager, ref: { companyId: number; customerId: number }): Promise<void> {
    const params = [ref.companyId, ref.customerId];
    await manager.query(`DELETE FROM notification_preferences WHERE company_id = $1 AND customer_id = $2`, params);
    await manager.query(`DELETE FROM calendar_feeds WHERE company_id = $1 AND customer_id = $2`, params);
    await manager.query(
      `UPDATE message_recipients SET read_at = NULL WHERE company_id = $1 AND customer_id = $2 AND read_at IS NOT NULL`,
      params,
    );
  }
}
