import { Check, Column, Entity, ForeignKey, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { bigintAsNumber } from '../../libs/typeorm/bigint-as-number';

/** The events a customer can ask to be told about by e-mail (értesítés). */
export const NOTIFICATION_TOPICS = [
  'reading_recorded',
  'address_changed',
  'contract_ended',
  'invoice_issued',
  'provider_reading_date',
  'reading_window_due',
  'payment_checked',
  'invoice_overdue',
  'due_date_reminder',
  /** The e-mail copy of a provider message (szolgáltatói üzenet). */
  'provider_message',
] as const;
export type NotificationTopic = (typeof NOTIFICATION_TOPICS)[number];

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** A customer's choice of e-mail for one notification topic. */
@Entity('notification_preferences')
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], {
  name: 'notification_preferences_company_id_customer_id_fkey',
})
@Check(
  'notification_preferences_topic_check',
  `topic IN ('reading_recorded', 'address_changed', 'contract_ended', 'invoice_issued', 'provider_reading_date', ` +
    `'reading_window_due', 'payment_checked', 'invoice_overdue', 'due_date_reminder', 'provider_message')`,
)
export class NotificationPreference {
  @PrimaryColumn({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @PrimaryColumn({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @PrimaryColumn({ type: 'text' })
  topic!: NotificationTopic;

  /** Send an e-mail when this happens. */
  @Column({ type: 'boolean' })
  email!: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
