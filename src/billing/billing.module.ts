import { Module } from '@nestjs/common';
import { ApprovalModule } from '../approval/approval.module';
import { MeteringModule } from '../metering/metering.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { PaymentsModule } from '../payments/payments.module';
import { BackofficeCustomersController } from './backoffice-customers.controller';
import { BackofficeCustomersPages } from './backoffice-customers.pages';
import { BaseRates } from './base-rates.service';
import { BillingQueries } from './billing-queries.service';
import { BillingController } from './billing.controller';
import { BillingPages, HomePage } from './billing.pages';
import { CustomerHome } from './customer-home.service';
import { CustomerLookup } from './customer-lookup.service';

/**
 * Invoices, debts with the interest explained, invoice PDFs and the base-rate history;
 * the customer's home and the clerk's customer page, which gather what metering,
 * approval, notifications and payments export. Billing imports those modules; none imports billing's code.
 */
@Module({
  imports: [MeteringModule, ApprovalModule, NotificationsModule, PaymentsModule],
  controllers: [HomePage, BillingController, BillingPages, BackofficeCustomersController, BackofficeCustomersPages],
  providers: [BillingQueries, CustomerHome, CustomerLookup, BaseRates],
  exports: [BillingQueries],
})
export class BillingModule {}
