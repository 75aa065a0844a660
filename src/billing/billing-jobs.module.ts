import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { InvoiceIssuedProcessor } from './invoice-issued.processor';

/**
 * Billing's background jobs. Loaded in every role (the worker does not load
 * BillingModule's pages), so the worker has a handler for each billing job.
 */
@Module({
  imports: [NotificationsModule],
  providers: [InvoiceIssuedProcessor],
})
export class BillingJobsModule {}
