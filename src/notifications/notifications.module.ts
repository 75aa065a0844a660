import { Module } from '@nestjs/common';
import { CalendarFeedService } from './calendar-feed.service';
import { CustomerNotificationsService } from './customer-notifications.service';
import { EmailAttachments } from './email-attachments';
import { EmailRenderer } from './email-renderer';
import { FailedEmailService } from './failed-email.service';
import { EmailProcessor } from './email.processor';
import { EmailService } from './email.service';
import { MessageCounts } from './message-counts.service';
import { MessageService } from './message.service';
import { NotificationPreferenceService } from './notification-preference.service';
import { ReminderProcessor } from './reminder.processor';
import { ReminderService } from './reminder.service';
import { UnsubscribeService } from './unsubscribe.service';

/** Provider messages (sending to a segment, the inbox), e-mails (templates, queueing, sending), the customers' switches, unsubscribe links and calendar feed, and the scheduled reminders. */
@Module({
  // Constructed here because its one argument (the templates folder) has a default.
  providers: [
    { provide: EmailRenderer, useFactory: () => new EmailRenderer() },
    EmailAttachments,
    EmailService,
    EmailProcessor,
    CustomerNotificationsService,
    MessageCounts,
    MessageService,
    NotificationPreferenceService,
    UnsubscribeService,
    CalendarFeedService,
    ReminderService,
    ReminderProcessor,
    FailedEmailService,
  ],
  exports: [
    EmailAttachments,
    EmailService,
    CustomerNotificationsService,
    MessageCounts,
    MessageService,
    NotificationPreferenceService,
    UnsubscribeService,
    CalendarFeedService,
    ReminderService,
    FailedEmailService,
  ],
})
export class NotificationsModule {}
