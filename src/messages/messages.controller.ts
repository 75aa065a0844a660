import { Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { PageReply } from '../web/http';
import { ApiEndpoint } from '../core/api-contract';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { WriteLimited } from '../identity/write-limit.guard';
import { ATTACHMENT_TYPES } from '../notifications/message-attachment';
import { MessageCounts } from '../notifications/message-counts.service';
import { MessageService } from '../notifications/message.service';
import { sendAttachment } from './message-http';
import { MarkedReadResponse, MessageDetailResponse, MessagePageResponse, UnreadCountResponse } from './messages-responses.dto';

/** Pages beyond this are refused rather than scanned. */
const MAX_PAGE = 10_000;

export class InboxQueryDto {
  @ApiPropertyOptional({ example: true, description: 'Only unread messages' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;

  @ApiPropertyOptional({ example: 1, description: 'Page number from 1 (20 a page)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'page must be a whole number' })
  @Min(1)
  @Max(MAX_PAGE)
  page?: number;
}

/** The customer's messages from the provider, as JSON (bearer token or session cookie). */
@ApiTags('messages')
@Controller('api/v1/messages')
@UseGuards(CustomerGuard)
export class MessagesController {
  constructor(
    private readonly messages: MessageService,
    private readonly counts: MessageCounts,
  ) {}

  @Get()
  @ApiEndpoint({
    operationId: 'listMessages',
    summary: 'Your messages from the provider, newest first, 20 a page; unread=true for the unread ones only',
    access: 'customer',
    errors: { 400: 'unread is not true or false, or page is not a whole number from 1' },
  })
  @ApiOkResponse({ type: MessagePageResponse })
  async list(@CurrentCustomer() customer: CustomerRef, @Query() query: InboxQueryDto): Promise<MessagePageResponse> {
    return this.messages.inbox(customer.companyId, customer.customerId, { unreadOnly: query.unread === true, page: query.page ?? 1 });
  }

  @Get('unread-count')
  @ApiEndpoint({ operationId: 'countUnreadMessages', summary: 'How many of your messages are unread', access: 'customer' })
  @ApiOkResponse({ type: UnreadCountResponse })
  async unread(@CurrentCustomer() customer: CustomerRef): Promise<UnreadCountResponse> {
    return { unread: await this.counts.unread(customer.companyId, customer.customerId) };
  }

  @Get(':id')
  @ApiEndpoint({
    operationId: 'getMessage',
    summary: 'One of your messages with its body (as written and as safe HTML) and attachment; reading it does not mark it read',
    access: 'customer',
    errors: { 400: 'The id is not an integer', 404: 'Not one of your messages' },
  })
  @ApiOkResponse({ type: MessageDetailResponse })
  async detail(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number): Promise<MessageDetailResponse> {
    const message = await this.messages.message(customer.companyId, customer.customerId, id);
    if (!message) throw new NotFoundException('No such message among yours');
    return { ...message, attachment: message.attachment ? { ...message.attachment, url: `/api/v1/messages/${id}/attachment` } : null };
  }

  @Post(':id/read')
  @HttpCode(200)
  @WriteLimited()
  @ApiEndpoint({
    operationId: 'markMessageRead',
    summary: 'Marks one of your messages read (again is harmless: the first time stays)',
    access: 'customer',
    errors: { 400: 'The id is not an integer', 404: 'Not one of your messages' },
  })
  @ApiOkResponse({ type: MarkedReadResponse })
  async markRead(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number): Promise<MarkedReadResponse> {
    const readAt = await this.messages.markRead(customer.companyId, customer.customerId, id);
    if (!readAt) throw new NotFoundException('No such message among yours');
    return { id, readAt, unread: await this.counts.unread(customer.companyId, customer.customerId) };
  }

  @Get(':id/attachment')
  @ApiEndpoint({
    operationId: 'getMessageAttachment',
    summary: 'The attachment of one of your messages (a PDF or an image), as a download',
    access: 'customer',
    errors: { 400: 'The id is not an integer', 404: 'Not one of your messages, or it has no attachment' },
  })
  @ApiProduces(...ATTACHMENT_TYPES)
  @ApiOkResponse({
    description: 'The file (Content-Disposition: attachment)',
    content: Object.fromEntries(ATTACHMENT_TYPES.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
  })
  async attachment(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number, @Res() res: PageReply): Promise<void> {
    const file = await this.messages.attachment(customer.companyId, customer.customerId, id);
    if (!file) throw new NotFoundException('No such attachment among your messages');
    sendAttachment(res, file);
  }
}
