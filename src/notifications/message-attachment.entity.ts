import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Message } from './message.entity';

/** A message's one attachment (a PDF or an image), kept in PostgreSQL beside it. */
@Entity('message_attachments')
@ForeignKey(() => Message, ['companyId', 'messageId'], ['companyId', 'id'], {
  name: 'message_attachments_company_id_message_id_fkey',
  onDelete: 'CASCADE',
})
@Check('message_attachments_file_name_check', `length(file_name) BETWEEN 1 AND 200`)
@Check('message_attachments_content_type_check', `content_type IN ('application/pdf', 'image/png', 'image/jpeg')`)
@Check('message_attachments_size_check', `size BETWEEN 1 AND 524288 AND octet_length(content) = size`)
export class MessageAttachment {
  @PrimaryColumn({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @PrimaryColumn({ name: 'message_id', type: 'bigint', transformer: bigintAsNumber })
  messageId!: number;

  @Column({ name: 'file_name', type: 'text' })
  fileName!: string;

  /** Found from the bytes (never the uploader's word): application/pdf, image/png or image/jpeg. */
  @Column({ name: 'content_type', type: 'text' })
  contentType!: string;

  @Column({ type: 'integer' })
  size!: number;

  @Column({ type: 'bytea' })
  content!: Buffer;
}
