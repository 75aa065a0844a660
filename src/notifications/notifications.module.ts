import { Module } from '@nestjs/common';
import { CalendarFeedController } from './calendar-feed.controller';
import { CalendarFeedService } from './calendar-feed.service';
import { CustomerNotificationsService } from './customer-notifications.service';
import { EmailRenderer } from './email-renderer';
import { EmailProcessor } from './email.processor';
import { EmailService } from './email.service';
import { MessageCounts } from './message-counts.service';
import { NotificationPreferenceService } from './notification-preference.service';
import { NotificationPreferencesController } from './notification-preferences.controller';
import { NotificationPreferencesPages } from './notification-preferences.pages';
import { ReminderProcessor } from './reminder.processor';
import { ReminderService } from './reminder.service';
import { UnsubscribeService } from './unsubscribe.service';

/** E-mails (templates, queueing, sending), the customers' switches, unsubscribe links and calendar feed, and the scheduled reminders. */
@Module({
  controllers: [NotificationPreferencesController, NotificationPreferencesPages, CalendarFeedController],
  // Constructed here because its one argument (the templates folder) has a default.
  providers: [
    { provide: EmailRenderer, useFactory: () => new EmailRenderer() },
    EmailService,
    EmailProcessor,
    CustomerNotificationsService,
    MessageCounts,
    NotificationPreferenceService,
    UnsubscribeService,
    CalendarFeedService,
    ReminderService,
    ReminderProcessor,
  ],
  exports: [EmailService, CustomerNotificationsService, MessageCounts, NotificationPreferenceService, ReminderService],
})
export class NotificationsModule {}
