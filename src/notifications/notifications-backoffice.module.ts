import { Module } from '@nestjs/common';
import { FailedEmailService } from './failed-email.service';
import { FailedEmailsController } from './failed-emails.controller';
import { FailedEmailsPages } from './failed-emails.pages';
import { NotificationsModule } from './notifications.module';
import { ReminderRunsController } from './reminder-runs.controller';
import { ReminderRunsPages } from './reminder-runs.pages';

/**
 * The notifications' back-office side: reminder runs, failed e-mails. Apart from NotificationsModule,
 * which identity imports for its e-mails, so that importing the back office's guard
 * makes no import cycle.
 */
@Module({
  imports: [NotificationsModule],
  controllers: [ReminderRunsController, ReminderRunsPages, FailedEmailsController, FailedEmailsPages],
  providers: [FailedEmailService],
})
export class NotificationsBackofficeModule {}
