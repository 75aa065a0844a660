import { Module } from '@nestjs/common';
import { CustomerNotificationsService } from './customer-notifications.service';
import { EmailRenderer } from './email-renderer';
import { EmailProcessor } from './email.processor';
import { EmailService } from './email.service';
import { MessageCounts } from './message-counts.service';

@Module({
  // Constructed here because its one argument (the templates folder) has a default.
  providers: [
    { provide: EmailRenderer, useFactory: () => new EmailRenderer() },
    EmailService,
    EmailProcessor,
    CustomerNotificationsService,
    MessageCounts,
  ],
  exports: [EmailService, CustomerNotificationsService, MessageCounts],
})
export class NotificationsModule {}
