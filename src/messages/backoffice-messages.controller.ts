import { Body, Controller, Get, HttpCode, HttpException, Post, Query, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ApiEndpoint } from '../core/api-contract';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { WriteLimited } from '../identity/write-limit.guard';
import { MESSAGE_ATTACHMENT_MAX_BYTES } from '../notifications/message-attachment';
import { normalizeSegment, SEGMENT_SERVICE_TYPES } from '../notifications/message-segment';
import { MESSAGE_BODY_FORMATS, MessageBodyFormat } from '../notifications/message.entity';
import {
  MESSAGE_BODY_MAX,
  MESSAGE_SUBJECT_MAX,
  MessageAudience,
  MessageService,
  SendMessageResult,
} from '../notifications/message.service';
import { SegmentSizeResponse, SentMessageListResponse, SentMessageResponse } from './messages-responses.dto';

/** Base64 of the largest attachment allowed. */
const ATTACHMENT_BASE64_MAX = Math.ceil(MESSAGE_ATTACHMENT_MAX_BYTES / 3) * 4;

class AttachmentDto {
  @ApiProperty({ example: 'Tájékoztató.pdf', description: 'Shown to the customer; folders are dropped' })
  @IsString()
  @MaxLength(200)
  fileName!: string;

  @ApiProperty({
    description: `The file as base64: a PDF, PNG or JPEG (found from its bytes) of at most ${MESSAGE_ATTACHMENT_MAX_BYTES} bytes`,
  })
  @IsString()
  @MaxLength(ATTACHMENT_BASE64_MAX + 1000, { message: `the attachment is larger than ${MESSAGE_ATTACHMENT_MAX_BYTES} bytes` })
  contentBase64!: string;
}

export class SegmentQueryDto {
  @ApiPropertyOptional({ example: 'Szentes', description: 'Customers with a service point in this town (any case)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  town?: string;

  @ApiPropertyOptional({
    enum: SEGMENT_SERVICE_TYPES,
    description: 'Customers with a meter of this type (at that town’s service point, if a town is given)',
  })
  @IsOptional()
  @IsIn(SEGMENT_SERVICE_TYPES)
  serviceType?: (typeof SEGMENT_SERVICE_TYPES)[number];

  @ApiPropertyOptional({ description: 'Customers with an unpaid invoice past its due date' })
  @IsOptional()
  @Type(() => String)
  @IsIn(['true', 'false'])
  overdue?: 'true' | 'false';
}

export class SendMessageDto {
  @ApiProperty({ example: 'Vízszolgáltatás szünetel', maxLength: MESSAGE_SUBJECT_MAX })
  @IsString()
  @MaxLength(MESSAGE_SUBJECT_MAX)
  subject!: string;

  @ApiProperty({ example: 'Tisztelt Ügyfelünk! December 3-án 8 és 12 óra között…', maxLength: MESSAGE_BODY_MAX })
  @IsString()
  @MaxLength(MESSAGE_BODY_MAX)
  body!: string;

  @ApiPropertyOptional({ enum: MESSAGE_BODY_FORMATS, default: 'plain', description: 'Markdown is shown without any raw HTML' })
  @IsOptional()
  @IsIn(MESSAGE_BODY_FORMATS)
  bodyFormat?: MessageBodyFormat;

  @ApiPropertyOptional({ example: 7, description: 'To this one customer (or customerCode); without either, to the segment' })
  @IsOptional()
  @IsInt()
  @Min(1)
  customerId?: number;

  @ApiPropertyOptional({ example: 'SU0044', description: 'To the customer with this code' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9]{2,20}$/, { message: 'customerCode is 2–20 letters and digits' })
  customerCode?: string;

  @ApiPropertyOptional({ example: 'Szentes', description: 'Segment: customers with a service point in this town' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  town?: string;

  @ApiPropertyOptional({ enum: SEGMENT_SERVICE_TYPES, description: 'Segment: customers with a meter of this type' })
  @IsOptional()
  @IsIn(SEGMENT_SERVICE_TYPES)
  serviceType?: (typeof SEGMENT_SERVICE_TYPES)[number];

  @ApiPropertyOptional({ description: 'Segment: customers with an unpaid invoice past its due date today' })
  @IsOptional()
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'Also e-mail each recipient with a verified login who did not turn provider_message off',
  })
  @IsOptional()
  @IsBoolean()
  byEmail?: boolean;

  @ApiPropertyOptional({ type: AttachmentDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AttachmentDto)
  attachment?: AttachmentDto;
}

export class SentListQueryDto {
  @ApiPropertyOptional({ example: 1, description: 'Page number from 1 (20 a page)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be a whole number' })
  @Min(1)
  @Max(10_000)
  page?: number;
}

const FIELD_MESSAGES: Record<string, string> = {
  required: 'is required',
  too_long: 'is too long',
  not_base64: 'is not base64',
  empty: 'is empty',
  too_large: `is larger than ${MESSAGE_ATTACHMENT_MAX_BYTES} bytes`,
  type: 'is not a PDF, PNG or JPEG file',
};

/** The audience a request names: one customer, or the segment of its filters (none: every customer). */
export function audienceOf(input: {
  customerId?: number;
  customerCode?: string;
  town?: string;
  serviceType?: string;
  overdue?: boolean;
}): MessageAudience | 'both' {
  const single = input.customerId !== undefined || (input.customerCode ?? '').trim() !== '';
  const segment = normalizeSegment(input);
  if (single && Object.keys(segment).length > 0) return 'both';
  if (input.customerId !== undefined) return { customerId: input.customerId };
  if (single) return { customerCode: input.customerCode as string };
  return { segment };
}

/** A refused message as an HTTP answer. */
export function sendMessageError(result: Exclude<SendMessageResult, { kind: 'sent' }>): HttpException {
  switch (result.kind) {
    case 'forbidden':
      return new HttpException({ statusCode: 403, error: 'Forbidden', message: 'Writing to customers needs the supervisor role' }, 403);
    case 'no_such_customer':
      return new HttpException({ statusCode: 404, error: 'Not Found', message: 'No such customer in your company' }, 404);
    case 'no_recipients':
      return new HttpException(
        { statusCode: 422, error: 'Unprocessable Entity', code: 'no_recipients', message: 'The segment reaches no customer' },
        422,
      );
    case 'invalid':
      return new HttpException(
        {
          statusCode: 400,
          error: 'Bad Request',
          code: 'invalid',
          message: result.problems.map((problem) => `${problem.field} ${FIELD_MESSAGES[problem.code]}`),
          errors: result.problems.map((problem) => ({ ...problem, message: `${problem.field} ${FIELD_MESSAGES[problem.code]}` })),
        },
        400,
      );
  }
}

/** Messages to customers for the back office: supervisors and admins write, every clerk sees what was sent. */
@ApiTags('back office: messages')
@Controller('api/v1/backoffice/messages')
@UseGuards(BackofficeGuard)
export class BackofficeMessagesController {
  constructor(private readonly messages: MessageService) {}

  @Get()
  @ApiEndpoint({
    operationId: 'listSentMessages',
    summary: 'The company’s messages, newest first (20 a page), with how many customers each reached and how many read it',
    access: 'clerk',
    errors: { 400: 'page is not a whole number from 1' },
  })
  @ApiOkResponse({ type: SentMessageListResponse })
  async list(@Clerk() clerk: ClerkIdentity, @Query() query: SentListQueryDto): Promise<SentMessageListResponse> {
    return this.messages.sent(clerk.companyId, query.page ?? 1);
  }

  @Get('segment-size')
  @ApiEndpoint({
    operationId: 'countSegment',
    summary: 'How many customers a segment reaches today (no filter: every customer of the company)',
    access: 'clerk',
    errors: { 400: 'An unknown service type, or overdue is not true or false' },
  })
  @ApiOkResponse({ type: SegmentSizeResponse })
  async segmentSize(@Clerk() clerk: ClerkIdentity, @Query() query: SegmentQueryDto): Promise<SegmentSizeResponse> {
    const segment = normalizeSegment({ ...query, overdue: query.overdue === 'true' });
    return { recipientCount: await this.messages.segmentSize(clerk.companyId, segment) };
  }

  @Post()
  @HttpCode(201)
  @WriteLimited()
  @MinRole('supervisor')
  @ApiEndpoint({
    operationId: 'sendMessage',
    summary:
      'Writes a message to one customer, or to a segment of the company’s customers (town, service type, overdue; none: everyone), optionally also by e-mail (supervisor)',
    access: 'clerk',
    errors: {
      400: 'A missing or too long subject or body, a bad attachment, or both a customer and segment filters',
      404: 'No such customer in your company',
      422: 'The segment reaches no customer',
    },
  })
  @ApiCreatedResponse({ type: SentMessageResponse })
  async send(@Clerk() clerk: ClerkIdentity, @Body() body: SendMessageDto): Promise<SentMessageResponse> {
    const audience = audienceOf(body);
    if (audience === 'both') {
      throw new HttpException({ statusCode: 400, error: 'Bad Request', message: 'Name one customer or segment filters, not both' }, 400);
    }
    const result = await this.messages.send(clerk, {
      subject: body.subject,
      body: body.body,
      bodyFormat: body.bodyFormat ?? 'plain',
      audience,
      byEmail: body.byEmail === true,
      attachment: body.attachment,
    });
    if (result.kind !== 'sent') throw sendMessageError(result);
    return { id: result.id, recipientCount: result.recipientCount, emailsQueued: result.emailsQueued };
  }
}
