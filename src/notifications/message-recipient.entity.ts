import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Message } from './message.entity';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** That a message reached a customer, and when they read it. Written set-based when the message is sent. */
@Entity('message_recipients')
@Index('message_recipients_message_idx', ['companyId', 'messageId'])
@Index('message_recipients_unread_idx', ['companyId', 'customerId'], { where: 'read_at IS NULL' })
@Index('message_recipients_read_idx', ['companyId', 'messageId'], { where: 'read_at IS NOT NULL' })
@ForeignKey(() => Message, ['companyId', 'messageId'], ['companyId', 'id'], {
  name: 'message_recipients_company_id_message_id_fkey',
  onDelete: 'CASCADE',
})
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'message_recipients_company_id_customer_id_fkey' })
export class MessageRecipient {
  @PrimaryColumn({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @PrimaryColumn({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @PrimaryColumn({ name: 'message_id', type: 'bigint', transformer: bigintAsNumber })
  messageId!: number;

  /** Null while unread. */
  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;
}
