import { Controller, Get, NotFoundException, Param, ParseIntPipe, Query, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply } from '../web/http';
import Handlebars from 'handlebars';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { MessageCounts } from '../notifications/message-counts.service';
import { MessageService } from '../notifications/message.service';
import { sendAttachment } from './message-http';

/** A page number from the query string; anything else is the first page. */
export function pageNumber(value: unknown): number {
  return typeof value === 'string' && /^[1-9]\d{0,3}$/.test(value) ? Number(value) : 1;
}

/** A file size the way people read it: "48 KB". */
export function fileSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${Math.round(bytes / 1024)} KB`;
}

/** The customer's inbox (Üzenetek): the provider's messages, one message, its attachment. */
@ApiExcludeController()
@Controller('messages')
@UseGuards(CustomerGuard)
export class MessagesPages {
  constructor(
    private readonly messages: MessageService,
    private readonly counts: MessageCounts,
  ) {}

  @Get()
  async inbox(
    @CurrentCustomer() customer: CustomerRef,
    @Res() res: PageReply,
    @Query('unread') unread?: string,
    @Query('page') page?: string,
  ): Promise<void> {
    const unreadOnly = unread === '1';
    const inbox = await this.messages.inbox(customer.companyId, customer.customerId, { unreadOnly, page: pageNumber(page) });
    const filter = unreadOnly ? 'unread=1&' : '';
    const lastPage = Math.max(1, Math.ceil(inbox.total / inbox.pageSize));
    // The menu's count is for this request's layout; the page's own figure is the same query's.
    res.locals.unreadMessages = inbox.unread;
    res.render('messages/inbox', {
      titleKey: 'messages.inbox.title',
      unreadOnly,
      unread: inbox.unread,
      total: inbox.total,
      messages: inbox.items.map((item) => ({ ...item, unread: item.readAt === null })),
      previous: inbox.page > 1 ? `/messages?${filter}page=${inbox.page - 1}` : null,
      next: inbox.page < lastPage ? `/messages?${filter}page=${inbox.page + 1}` : null,
      paged: lastPage > 1,
      page: inbox.page,
      lastPage,
    });
  }

  /** Opening a message marks it read. */
  @Get(':id')
  async message(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply, @Param('id', ParseIntPipe) id: number): Promise<void> {
    const readAt = await this.messages.markRead(customer.companyId, customer.customerId, id);
    const message = readAt ? await this.messages.message(customer.companyId, customer.customerId, id) : null;
    if (!message) throw new NotFoundException();
    // The menu's count was taken before this message was marked read.
    res.locals.unreadMessages = await this.counts.unread(customer.companyId, customer.customerId);
    res.render('messages/message', {
      titleKey: 'messages.message.title',
      message: {
        id: message.id,
        subject: message.subject,
        publishedAt: message.publishedAt,
        // Built by renderMessageBody, which lets no markup of the author's own through.
        bodyHtml: new Handlebars.SafeString(message.bodyHtml),
        attachment: message.attachment ? { ...message.attachment, size: fileSize(message.attachment.size) } : null,
      },
    });
  }

  @Get(':id/attachment')
  async attachment(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply, @Param('id', ParseIntPipe) id: number): Promise<void> {
    const file = await this.messages.attachment(customer.companyId, customer.customerId, id);
    if (!file) throw new NotFoundException();
    sendAttachment(res, file);
  }
}
