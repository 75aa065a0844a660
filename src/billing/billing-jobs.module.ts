import { Module } from '@nestjs/common';
import { NotificationsModule } from '../notifications/notifications.module';
import { BillingQueries } from './billing-queries.service';
import { InvoiceIssuedProcessor } from './invoice-issued.processor';
import { InvoicePdfAttachment } from './invoice-pdf-attachment';

/**
 * Billing's background jobs and the invoice PDF as an e-mail attachment. Loaded in
 * every role (the worker does not load BillingModule's pages), so the worker has a
 * handler for each billing job and can build the PDF when it sends the e-mail.
 */
@Module({
  imports: [NotificationsModule],
  providers: [BillingQueries, InvoiceIssuedProcessor, InvoicePdfAttachment],
})
export class BillingJobsModule {}
