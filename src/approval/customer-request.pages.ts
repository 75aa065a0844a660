import { Body, Controller, NotFoundException, Param, ParseIntPipe, Post, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, redirectSeeOther } from '../web/http';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { CustomerRequestsService } from './customer-requests.service';
import { WriteLimited } from '../identity/write-limit.guard';

/** Where a withdrawal may send the customer back to: a page of the portal, never another site. */
const BACK = /^\/[a-z][a-z/-]{0,60}$/;

/** The customer's withdraw button under a request's timeline (the `approval/timeline` partial), on any kind's page. */
@ApiExcludeController()
@Controller('requests')
@UseGuards(CustomerGuard)
export class CustomerRequestPages {
  constructor(private readonly requests: CustomerRequestsService) {}

  @Post(':id/withdraw')
  @WriteLimited()
  async withdraw(
    @CurrentCustomer() customer: CustomerRef,
    @Res() res: PageReply,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: Record<string, unknown>,
  ): Promise<void> {
    const back = typeof body.back === 'string' && BACK.test(body.back) ? body.back : '/';
    // A missing version is a stale one: the engine first checks the request is the customer's (404 if not).
    const version = Number(body.expectedVersion);
    const result = await this.requests.withdraw(customer.companyId, customer.customerId, id, Number.isSafeInteger(version) ? version : 0);
    if (!result.ok && result.error.code === 'not_found') throw new NotFoundException();
    redirectSeeOther(res, `${back}?${result.ok ? 'withdrawn' : 'stale'}=${id}`);
  }
}
