import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { FEED_ITEM_TYPES, FeedItemType } from './feed-types';
import { FEED_PAGE_MAX } from './feed.service';

const CURSOR = /^(0|[1-9]\d{0,15})$/;
const CONSUMER = /^[A-Za-z0-9._-]{1,100}$/;

export class FeedQueryDto {
  @ApiPropertyOptional({
    example: '120',
    description: 'Read the items after this cursor; without it, after the consumer’s acknowledged cursor. Never before that.',
  })
  @IsOptional()
  @Matches(CURSOR, { message: 'after must be a cursor of this feed' })
  after?: string;

  @ApiPropertyOptional({ example: 100, description: `Page size, 1–${FEED_PAGE_MAX} (default 100)` })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(FEED_PAGE_MAX)
  limit?: number;

  @ApiPropertyOptional({
    example: 'athos-nightly',
    description: 'A named consumer with its own acknowledgements (survives a key change); default: the calling API key',
  })
  @IsOptional()
  @Matches(CONSUMER, { message: 'consumer must be 1–100 letters, digits, dots, dashes or underscores' })
  consumer?: string;
}

export class FeedAckDto {
  @ApiProperty({ example: '120', description: 'The last cursor the consumer has processed: it and everything before never come again' })
  @Matches(CURSOR, { message: 'cursor must be a cursor of this feed' })
  cursor!: string;

  @ApiPropertyOptional({ example: 'athos-nightly', description: 'The named consumer (as in the feed query); default: the calling API key' })
  @IsOptional()
  @Matches(CONSUMER, { message: 'consumer must be 1–100 letters, digits, dots, dashes or underscores' })
  consumer?: string;
}

export class FeedItemResponse {
  @ApiProperty({ example: '121', description: 'The item’s place in the company’s feed (increasing, in commit order)' })
  cursor!: string;

  @ApiProperty({ enum: FEED_ITEM_TYPES, example: 'reading.applied' })
  type!: FeedItemType;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the portal decided it (applied, confirmed, deleted)' })
  occurredAt!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The decision, with the back office’s own ids (…ExternalRef, null where it has none), customer code, meter serial ' +
      'number and invoice number beside the portal’s ids. Every type: customerId, customerCode, customerExternalRef. ' +
      'reading.applied: readingId, requestId, externalRef, servicePointId/ExternalRef, meterId/ExternalRef, ' +
      'meterSerialNumber, unit, readOn, value, kind. customer_data.changed: requestId, changes {field: {from, to}}. ' +
      'e_invoice.consent: requestId, servicePointId/ExternalRef, optedIn, consentText, consentedAt. payment.recorded: ' +
      'paymentId, amount, currency, orderRef, gatewayReference, flagged, allocations [{debtItemId, debtItemExternalRef, ' +
      'invoiceNumber, invoiceExternalRef, amount}]; payment.allocated: the same, once a clerk has allocated a payment ' +
      'flagged for a mismatch (whose payment.recorded had none). account.deleted: deletedAt.',
    example: { readingId: 812, customerCode: 'SU0044', meterSerialNumber: 'HW-1234', unit: 'm3', readOn: '2014-11-30', value: 123.4 },
  })
  data!: Record<string, unknown>;
}

export class FeedPageResponse {
  @ApiProperty({ example: 'key-3', description: 'Whose acknowledgements apply' })
  consumer!: string;

  @ApiProperty({ example: '120', description: 'The consumer’s acknowledged cursor ("0" before the first acknowledgement)' })
  acknowledgedCursor!: string;

  @ApiProperty({ type: [FeedItemResponse] })
  items!: FeedItemResponse[];

  @ApiProperty({ example: '220', description: 'The last item’s cursor: acknowledge it once the items are processed' })
  nextCursor!: string;

  @ApiProperty({ example: false, description: 'More items follow this page' })
  hasMore!: boolean;
}

export class FeedAckResponse {
  @ApiProperty({ example: 'key-3' })
  consumer!: string;

  @ApiProperty({ example: '220', description: 'The acknowledged cursor now (an older cursor sent again moves nothing back)' })
  acknowledgedCursor!: string;
}
