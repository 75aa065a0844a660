import { Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiExcludeEndpoint, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import { PageReply } from '../web/http';
import { ApiEndpoint } from '../core/api-contract';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { WriteLimited } from '../identity/write-limit.guard';
import { CalendarFeedService } from '../notifications/calendar-feed.service';
import { CalendarFeedResponse } from '../notifications/notification-responses.dto';

const TOO_MANY_WRITES = 'More writes a minute than allowed; retryAfterSeconds (and Retry-After) say when to try again';

/** The customer's secret iCal feed: make (or replace) and revoke its URL; the feed itself. */
@ApiTags('customer details')
@Controller()
export class CalendarFeedController {
  constructor(private readonly feeds: CalendarFeedService) {}

  @Post('api/v1/calendar-feed')
  @ApiEndpoint({
    operationId: 'createCalendarFeed',
    summary: 'A new secret iCal URL (reading periods, due dates), shown only now; the earlier URL stops working',
    access: 'customer',
    errors: { 429: TOO_MANY_WRITES },
  })
  // Below @ApiEndpoint so its 429 (with ErrorResponse) is the documented one; the login guard runs before the limit.
  @WriteLimited()
  @UseGuards(CustomerGuard)
  @ApiCreatedResponse({ type: CalendarFeedResponse })
  async create(@CurrentCustomer() customer: CustomerRef): Promise<CalendarFeedResponse> {
    return { url: await this.feeds.create(customer.companyId, customer.customerId) };
  }

  @Delete('api/v1/calendar-feed')
  @HttpCode(204)
  @ApiEndpoint({
    operationId: 'revokeCalendarFeed',
    summary: 'Revokes your iCal URL',
    access: 'customer',
    errors: { 404: 'You have no iCal URL', 429: TOO_MANY_WRITES },
  })
  @WriteLimited()
  @UseGuards(CustomerGuard)
  @ApiNoContentResponse({ description: 'The URL no longer answers' })
  async revoke(@CurrentCustomer() customer: CustomerRef): Promise<void> {
    if (!(await this.feeds.revoke(customer.companyId, customer.customerId))) throw new NotFoundException('You have no calendar feed');
  }

  /**
   * The text/calendar feed a calendar app subscribes to: not a JSON operation of the API
   * (outside /api; its URL comes from createCalendarFeed), so it stays out of the document.
   * The URL is the credential (calendar apps send no login), so this route needs none.
   */
  @Get('calendar/:file')
  @ApiExcludeEndpoint()
  async feed(@Param('file') file: string, @Res() res: PageReply): Promise<void> {
    const ics = file.endsWith('.ics') ? await this.feeds.feed(file.slice(0, -4)) : null;
    if (ics === null) throw new NotFoundException();
    res.headers({ 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'private, max-age=900' }).send(ics);
  }
}
