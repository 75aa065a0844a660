import { CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Message } from './message.entity';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** That a customer has read a message; removed with the message. */
@Entity('message_reads')
// The primary key leads with customer_id; this one serves the cascade from messages.
@Index('message_reads_message_idx', ['companyId', 'messageId'])
@ForeignKey(() => Message, ['companyId', 'messageId'], ['companyId', 'id'], {
  name: 'message_reads_company_id_message_id_fkey',
  onDelete: 'CASCADE',
})
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'message_reads_company_id_customer_id_fkey' })
export class MessageRead {
  @PrimaryColumn({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @PrimaryColumn({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @PrimaryColumn({ name: 'message_id', type: 'bigint', transformer: bigintAsNumber })
  messageId!: number;

  @CreateDateColumn({ name: 'read_at', type: 'timestamptz' })
  readAt!: Date;
}
