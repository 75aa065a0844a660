import { Module } from '@nestjs/common';
import { EmailRenderer } from './email-renderer';
import { EmailProcessor } from './email.processor';
import { EmailService } from './email.service';
import { ReminderProcessor } from './reminder.processor';
import { ReminderService } from './reminder.service';

@Module({
  // Constructed here because its one argument (the templates folder) has a default.
  providers: [
    { provide: EmailRenderer, useFactory: () => new EmailRenderer() },
    EmailService,
    EmailProcessor,
    ReminderService,
    ReminderProcessor,
  ],
  exports: [EmailService, ReminderService],
})
export class NotificationsModule {}
