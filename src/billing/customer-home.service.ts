import { Injectable } from '@nestjs/common';
import { OpenRequestView, RequestQueries } from '../approval/request-queries.service';
import { MeterQueries } from '../metering/meter-queries.service';
import { MessageCounts } from '../notifications/message-counts.service';
import { todayInHungary } from '../web/format';
import { BillingQueries, HomeBilling } from './billing-queries.service';

export interface HomeSummary extends HomeBilling {
  /** The earliest open invoice is past its due date. */
  overdue: boolean;
  /** How many of the customer's meters may be read now. */
  metersWithOpenWindow: number;
  unreadMessages: number;
  openRequests: OpenRequestView[];
}

/** The customer's home: "do I owe anything, and do I need to do anything", from billing, metering, approval and messages. */
@Injectable()
export class CustomerHome {
  constructor(
    private readonly billing: BillingQueries,
    private readonly meters: MeterQueries,
    private readonly requests: RequestQueries,
    private readonly messages: MessageCounts,
  ) {}

  async summary(companyId: number, customerId: number, today = todayInHungary()): Promise<HomeSummary> {
    const [billing, metersWithOpenWindow, unreadMessages, openRequests] = await Promise.all([
      this.billing.homeBilling(companyId, customerId, today),
      this.meters.metersWithOpenWindow(companyId, customerId, today),
      this.messages.unread(companyId, customerId),
      this.requests.openForCustomer(companyId, customerId),
    ]);
    return {
      ...billing,
      overdue: billing.nextDueOn !== null && billing.nextDueOn < today,
      metersWithOpenWindow,
      unreadMessages,
      openRequests,
    };
  }
}
