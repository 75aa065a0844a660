import { Body, Controller, Get, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, redirectSeeOther } from '../web/http';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { WriteLimited } from '../identity/write-limit.guard';
import { MESSAGE_ATTACHMENT_MAX_BYTES } from '../notifications/message-attachment';
import { MessageSegment, SEGMENT_SERVICE_TYPES } from '../notifications/message-segment';
import { MESSAGE_SENDER_ROLES, MessageService, SendMessageResult } from '../notifications/message.service';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';
import { pageText } from '../web/page-text';
import { audienceOf } from './backoffice-messages.controller';
import { pageNumber } from './messages.pages';

/** The form as submitted: its text fields are shown again after a refusal (the attachment is not: it is picked again). */
interface FormValues {
  audience: 'customer' | 'segment';
  customerCode: string;
  town: string;
  serviceType: string;
  subject: string;
  body: string;
  bodyFormat: 'plain' | 'markdown';
  overdue: boolean;
  byEmail: boolean;
}

function text(body: Record<string, unknown>, field: string, max: number): string {
  const value = body[field];
  return typeof value === 'string' ? value.slice(0, max) : '';
}

/** What the form sent, as plain values; the service checks the rules. */
export function formValues(body: unknown): FormValues {
  const source = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return {
    audience: source.audience === 'customer' ? 'customer' : 'segment',
    customerCode: text(source, 'customerCode', 20),
    town: text(source, 'town', 100),
    serviceType: text(source, 'serviceType', 20),
    subject: text(source, 'subject', 1000),
    body: text(source, 'body', 20_000),
    bodyFormat: source.bodyFormat === 'markdown' ? 'markdown' : 'plain',
    overdue: source.overdue === 'on',
    byEmail: source.byEmail === 'on',
  };
}

/** How a segment reads in the sent list: "Szentes · Gázóra · lejárt tartozás", or "Minden ügyfél". */
function segmentLabel(res: PageReply, segment: MessageSegment): string {
  const parts: string[] = [];
  if (segment.town) parts.push(segment.town);
  if (segment.serviceType) parts.push(pageText(res, `metering.type.${segment.serviceType}`));
  if (segment.overdue) parts.push(pageText(res, 'messages.segment.overdue'));
  return parts.length > 0 ? parts.join(' · ') : pageText(res, 'messages.segment.everyone');
}

/** Üzenetek ügyfeleknek: what the company sent (every clerk), and the form supervisors and admins write with. */
@ApiExcludeController()
@Controller('backoffice/messages')
@UseFilters(BackofficeRedirectFilter)
@UseGuards(BackofficeGuard)
export class BackofficeMessagesPages {
  constructor(private readonly messages: MessageService) {}

  @Get()
  async sent(
    @Clerk() clerk: ClerkIdentity,
    @Res() res: PageReply,
    @Query('page') page?: string,
    @Query('sent') sent?: string,
  ): Promise<void> {
    const list = await this.messages.sent(clerk.companyId, pageNumber(page));
    const lastPage = Math.max(1, Math.ceil(list.total / list.pageSize));
    res.render('messages/backoffice/sent', {
      titleKey: 'messages.sent.title',
      ...(sent ? { flash: { kind: 'success', message: pageText(res, 'messages.sent.done') } } : {}),
      canWrite: MESSAGE_SENDER_ROLES.includes(clerk.role),
      messages: list.items.map((item) => ({
        ...item,
        audience: item.customer ? `${item.customer.code} – ${item.customer.name}` : segmentLabel(res, item.segment ?? {}),
      })),
      previous: list.page > 1 ? `/backoffice/messages?page=${list.page - 1}` : null,
      next: list.page < lastPage ? `/backoffice/messages?page=${list.page + 1}` : null,
      paged: lastPage > 1,
      page: list.page,
      lastPage,
    });
  }

  @Get('new')
  @MinRole('supervisor')
  async form(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Query('customer') customer?: string): Promise<void> {
    const code = typeof customer === 'string' ? customer.slice(0, 20) : '';
    await this.renderForm(clerk, res, 200, [], { ...formValues({}), audience: code ? 'customer' : 'segment', customerCode: code });
  }

  @Post()
  @WriteLimited()
  @MinRole('supervisor')
  async send(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Body() body: Record<string, unknown>): Promise<void> {
    const values = formValues(body);
    const attachmentData = text(body ?? {}, 'attachmentData', Math.ceil(MESSAGE_ATTACHMENT_MAX_BYTES / 3) * 4 + 4);
    const audience = audienceOf(
      values.audience === 'customer'
        ? { customerCode: values.customerCode }
        : { town: values.town, serviceType: values.serviceType, overdue: values.overdue },
    );
    if (audience === 'both') throw new Error('A form audience is one customer or a segment');
    if (values.audience === 'customer' && !values.customerCode.trim()) {
      return this.renderForm(clerk, res, 400, [pageText(res, 'messages.error.customerCode')], values);
    }
    const result = await this.messages.send(clerk, {
      subject: values.subject,
      body: values.body,
      bodyFormat: values.bodyFormat,
      audience,
      byEmail: values.byEmail,
      attachment: attachmentData ? { fileName: text(body ?? {}, 'attachmentName', 200), contentBase64: attachmentData } : undefined,
    });
    if (result.kind === 'sent') return redirectSeeOther(res, `/backoffice/messages?sent=${result.id}`);
    const [status, errors] = this.refusal(res, result);
    await this.renderForm(clerk, res, status, errors, values);
  }

  private refusal(res: PageReply, result: Exclude<SendMessageResult, { kind: 'sent' }>): [number, string[]] {
    switch (result.kind) {
      case 'forbidden':
        return [403, [pageText(res, 'messages.error.forbidden')]];
      case 'no_such_customer':
        return [404, [pageText(res, 'messages.error.noSuchCustomer')]];
      case 'no_recipients':
        return [422, [pageText(res, 'messages.error.noRecipients')]];
      case 'invalid':
        return [
          400,
          result.problems.map((problem) =>
            pageText(res, `messages.error.${problem.field}.${problem.code}`, { max: Math.round(MESSAGE_ATTACHMENT_MAX_BYTES / 1024) }),
          ),
        ];
    }
  }

  private async renderForm(clerk: ClerkIdentity, res: PageReply, status: number, errors: string[], values: FormValues): Promise<void> {
    const towns = await this.messages.towns(clerk.companyId);
    res.status(status).render('messages/backoffice/compose', {
      titleKey: 'messages.compose.title',
      errors,
      values,
      toCustomer: values.audience === 'customer',
      markdown: values.bodyFormat === 'markdown',
      towns,
      serviceTypes: SEGMENT_SERVICE_TYPES.map((type) => ({
        type,
        labelKey: `metering.type.${type}`,
        selected: values.serviceType === type,
      })),
      maxAttachmentBytes: MESSAGE_ATTACHMENT_MAX_BYTES,
      maxAttachmentKb: Math.round(MESSAGE_ATTACHMENT_MAX_BYTES / 1024),
    });
  }
}
