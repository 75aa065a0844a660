import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ATTACHMENT_TYPES } from '../notifications/message-attachment';
import { SEGMENT_SERVICE_TYPES } from '../notifications/message-segment';
import { MESSAGE_BODY_FORMATS } from '../notifications/message.entity';

export class MessageSummaryResponse {
  @ApiProperty({ example: 12 }) id!: number;
  @ApiProperty({ example: 'Vízszolgáltatás szünetel' }) subject!: string;
  @ApiProperty({ type: String, format: 'date-time' }) publishedAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null while unread' }) readAt!: Date | null;
  @ApiProperty() hasAttachment!: boolean;
}

export class MessagePageResponse {
  @ApiProperty({ type: [MessageSummaryResponse], description: 'Newest first' }) items!: MessageSummaryResponse[];
  @ApiProperty({ example: 1 }) page!: number;
  @ApiProperty({ example: 20 }) pageSize!: number;
  @ApiProperty({ example: 3, description: 'Messages matching the filter, over every page' }) total!: number;
  @ApiProperty({ example: 1, description: 'Unread messages, whatever the filter' }) unread!: number;
}

export class MessageAttachmentResponse {
  @ApiProperty({ example: 'Tájékoztató.pdf' }) fileName!: string;
  @ApiProperty({ enum: ATTACHMENT_TYPES }) contentType!: string;
  @ApiProperty({ example: 48213, description: 'Bytes' }) size!: number;
  @ApiProperty({ example: '/api/v1/messages/12/attachment' }) url!: string;
}

export class MessageDetailResponse {
  @ApiProperty({ example: 12 }) id!: number;
  @ApiProperty({ example: 'Vízszolgáltatás szünetel' }) subject!: string;
  @ApiProperty({ description: 'As written: plain text or Markdown' }) body!: string;
  @ApiProperty({ enum: MESSAGE_BODY_FORMATS }) bodyFormat!: string;
  @ApiProperty({ description: 'The body as HTML with no markup of the author’s own (safe to show)' }) bodyHtml!: string;
  @ApiProperty({ type: String, format: 'date-time' }) publishedAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null while unread' }) readAt!: Date | null;
  @ApiProperty({ type: MessageAttachmentResponse, nullable: true }) attachment!: MessageAttachmentResponse | null;
}

export class UnreadCountResponse {
  @ApiProperty({ example: 2 }) unread!: number;
}

export class MarkedReadResponse {
  @ApiProperty({ example: 12 }) id!: number;
  @ApiProperty({ type: String, format: 'date-time', description: 'When it was first read' }) readAt!: Date;
  @ApiProperty({ example: 1, description: 'Unread messages left' }) unread!: number;
}

export class SentMessageResponse {
  @ApiProperty({ example: 31 }) id!: number;
  @ApiProperty({ example: 1204, description: 'Customers it reached' }) recipientCount!: number;
  @ApiProperty({ example: 388, description: 'E-mail copies queued (verified logins that did not turn provider_message off)' })
  emailsQueued!: number;
}

export class SegmentResponse {
  @ApiPropertyOptional({ example: 'Szentes' }) town?: string;
  @ApiPropertyOptional({ enum: SEGMENT_SERVICE_TYPES }) serviceType?: string;
  @ApiPropertyOptional({ example: true }) overdue?: boolean;
}

export class SentMessageCustomerResponse {
  @ApiProperty({ example: 7 }) id!: number;
  @ApiProperty({ example: 'SU0044' }) code!: string;
  @ApiProperty({ example: 'Minta Ügyfél' }) name!: string;
}

export class SentMessageItemResponse {
  @ApiProperty({ example: 31 }) id!: number;
  @ApiProperty({ example: 'Vízszolgáltatás szünetel' }) subject!: string;
  @ApiProperty({ type: String, format: 'date-time' }) publishedAt!: Date;
  @ApiProperty({ type: SentMessageCustomerResponse, nullable: true, description: 'Set for a message to one customer' })
  customer!: SentMessageCustomerResponse | null;
  @ApiProperty({ type: SegmentResponse, nullable: true, description: 'Set for a message to a segment; {} is every customer' })
  segment!: SegmentResponse | null;
  @ApiProperty({ type: String, nullable: true, example: 'Minta Csoportvezető' }) sentBy!: string | null;
  @ApiProperty({ example: 1204 }) recipientCount!: number;
  @ApiProperty({ example: 310 }) readCount!: number;
  @ApiProperty() byEmail!: boolean;
  @ApiProperty({ example: 388 }) emailsQueued!: number;
  @ApiProperty() hasAttachment!: boolean;
}

export class SentMessageListResponse {
  @ApiProperty({ type: [SentMessageItemResponse], description: 'Newest first' }) items!: SentMessageItemResponse[];
  @ApiProperty({ example: 1 }) page!: number;
  @ApiProperty({ example: 20 }) pageSize!: number;
  @ApiProperty({ example: 45 }) total!: number;
}

export class SegmentSizeResponse {
  @ApiProperty({ example: 1204, description: 'Customers the segment reaches today' }) recipientCount!: number;
}
