import { Controller, Get, NotFoundException, Param, ParseIntPipe, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply } from '../web/http';
import { BackofficeGuard, Clerk } from '../identity/clerk.guard';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { ReadingReview } from './reading-review';
import { sendChart } from './readings.pages';

/** The consumption chart on the clerk's page of a reading request (the `metering/reading-request` partial). */
@ApiExcludeController()
@Controller('backoffice')
@UseGuards(BackofficeGuard)
@UseFilters(BackofficeRedirectFilter)
export class ReadingReviewPages {
  constructor(private readonly review: ReadingReview) {}

  @Get('requests/:id/chart.svg')
  async chart(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Param('id', ParseIntPipe) id: number): Promise<void> {
    const chart = await this.review.chart(clerk.companyId, id);
    if (!chart) throw new NotFoundException();
    sendChart(res, chart.unit, chart.history);
  }
}
