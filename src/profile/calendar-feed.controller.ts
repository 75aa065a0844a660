import { Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { CalendarFeedService } from '../notifications/calendar-feed.service';

/** The customer's secret iCal feed: make (or replace) and revoke its URL; the feed itself. */
@ApiTags('notifications')
@Controller()
export class CalendarFeedController {
  constructor(private readonly feeds: CalendarFeedService) {}

  @Post('api/v1/calendar-feed')
  @UseGuards(CustomerGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'A new secret iCal URL (reading periods, due dates), shown only now; the earlier URL stops working' })
  async create(@CurrentCustomer() customer: CustomerRef): Promise<{ url: string }> {
    return { url: await this.feeds.create(customer.companyId, customer.customerId) };
  }

  @Delete('api/v1/calendar-feed')
  @UseGuards(CustomerGuard)
  @HttpCode(204)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revokes your iCal URL' })
  @ApiResponse({ status: 404, description: 'You have no iCal URL' })
  async revoke(@CurrentCustomer() customer: CustomerRef): Promise<void> {
    if (!(await this.feeds.revoke(customer.companyId, customer.customerId))) throw new NotFoundException('You have no calendar feed');
  }

  /** The URL is the credential (calendar apps send no login), so this route needs none. */
  @Get('calendar/:file')
  @ApiExcludeEndpoint()
  async feed(@Param('file') file: string, @Res() res: Response): Promise<void> {
    const ics = file.endsWith('.ics') ? await this.feeds.feed(file.slice(0, -4)) : null;
    if (ics === null) throw new NotFoundException();
    res.set({ 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'private, max-age=900' }).send(ics);
  }
}
