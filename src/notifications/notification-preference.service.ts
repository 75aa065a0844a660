import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { NOTIFICATION_TOPICS, NotificationTopic } from './notification-preference.entity';

export type NotificationPreferences = Record<NotificationTopic, boolean>;

/**
 * A customer's e-mail switches, one per topic. They are the customer's own choice, not
 * billing data: a change applies at once, with no clerk. A topic without a row is on.
 */
@Injectable()
export class NotificationPreferenceService {
  constructor(private readonly dataSource: DataSource) {}

  async get(companyId: number, customerId: number): Promise<NotificationPreferences> {
    const rows: Array<{ topic: NotificationTopic; email: boolean }> = await this.dataSource.query(
      `SELECT topic, email FROM notification_preferences WHERE company_id = $1 AND customer_id = $2`,
      [companyId, customerId],
    );
    const preferences = Object.fromEntries(NOTIFICATION_TOPICS.map((topic) => [topic, true])) as NotificationPreferences;
    for (const row of rows) preferences[row.topic] = row.email;
    return preferences;
  }

  /** Sets the given topics (one statement) and returns every switch as it is now. */
  async update(companyId: number, customerId: number, changes: Partial<NotificationPreferences>): Promise<NotificationPreferences> {
    const topics = NOTIFICATION_TOPICS.filter((topic) => typeof changes[topic] === 'boolean');
    if (topics.length > 0) {
      await this.dataSource.query(
        `INSERT INTO notification_preferences (company_id, customer_id, topic, email)
         SELECT $1, $2, topic, email FROM unnest($3::text[], $4::boolean[]) AS x(topic, email)
         ON CONFLICT (company_id, customer_id, topic) DO UPDATE SET email = excluded.email, updated_at = now()`,
        [companyId, customerId, topics, topics.map((topic) => changes[topic])],
      );
    }
    return this.get(companyId, customerId);
  }

  /** Whether the customer has a portal account (preferences belong to one). */
  async hasAccount(companyId: number, customerId: number): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM customer_accounts WHERE company_id = $1 AND customer_id = $2`, [
      companyId,
      customerId,
    ]);
    return rows.length > 0;
  }

  /** Whether the customer wants e-mail on this topic, read in the caller's transaction. */
  async wantsEmail(manager: EntityManager, companyId: number, customerId: number, topic: NotificationTopic): Promise<boolean> {
    const rows: Array<{ email: boolean }> = await manager.query(
      `SELECT email FROM notification_preferences WHERE company_id = $1 AND customer_id = $2 AND topic = $3`,
      [companyId, customerId, topic],
    );
    return rows[0]?.email ?? true;
  }
}
