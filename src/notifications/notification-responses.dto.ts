import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NOTIFICATION_TOPICS, NotificationTopic } from './notification-preference.entity';
import { NotificationPreferences } from './notification-preference.service';
import { REMINDER_KINDS, ReminderKind } from './reminder-kinds';

/* The JSON answers (and the preference change body) of the notification API, as OpenAPI schemas. */

/** Every e-mail switch; `implements` makes a new topic a type error here until it is documented. */
export class NotificationPreferencesResponse implements NotificationPreferences {
  @ApiProperty({ example: true, description: 'A meter reading was recorded' }) reading_recorded!: boolean;
  @ApiProperty({ example: true, description: 'Your address changed' }) address_changed!: boolean;
  @ApiProperty({ example: true, description: 'A contract ended (customer change)' }) contract_ended!: boolean;
  @ApiProperty({ example: true, description: 'A new invoice was issued' }) invoice_issued!: boolean;
  @ApiProperty({ example: true, description: 'The provider will read your meter on a given day' }) provider_reading_date!: boolean;
  @ApiProperty({ example: false, description: 'A reading window opened or is about to close' }) reading_window_due!: boolean;
  @ApiProperty({ example: true, description: 'A payment of yours was checked' }) payment_checked!: boolean;
  @ApiProperty({ example: true, description: 'An invoice is overdue' }) invoice_overdue!: boolean;
  @ApiProperty({ example: true, description: 'An invoice is due soon' }) due_date_reminder!: boolean;
  @ApiProperty({ example: true, description: 'The provider sent you a message (its e-mail copy)' }) provider_message!: boolean;
}

/** Some or all switches; a topic left out keeps its value. */
export class NotificationPreferenceChangesDto implements Partial<NotificationPreferences> {
  @ApiPropertyOptional() reading_recorded?: boolean;
  @ApiPropertyOptional() address_changed?: boolean;
  @ApiPropertyOptional() contract_ended?: boolean;
  @ApiPropertyOptional() invoice_issued?: boolean;
  @ApiPropertyOptional() provider_reading_date?: boolean;
  @ApiPropertyOptional({ example: false }) reading_window_due?: boolean;
  @ApiPropertyOptional() payment_checked?: boolean;
  @ApiPropertyOptional() invoice_overdue?: boolean;
  @ApiPropertyOptional() due_date_reminder?: boolean;
  @ApiPropertyOptional() provider_message?: boolean;
}

export class UnsubscribedResponse {
  @ApiProperty({ enum: NOTIFICATION_TOPICS, example: 'invoice_issued', description: 'The topic now turned off' })
  topic!: NotificationTopic;
  @ApiProperty({ enum: [false], example: false, description: 'Always false: no more e-mail of this topic' })
  email!: false;
}

export class CalendarFeedResponse {
  @ApiProperty({
    example: 'https://portal.example.hu/calendar/3fa9c1d2e4b5a6f7.ics',
    description: 'The secret iCal (text/calendar) address to subscribe to in a calendar app; it needs no login, so keep it private',
  })
  url!: string;
}

export class ReminderRunResponse {
  @ApiProperty({ example: 31 }) id!: number;
  @ApiProperty({ enum: REMINDER_KINDS, example: 'overdue' }) kind!: ReminderKind;
  @ApiProperty({ format: 'date', example: '2026-11-30', description: 'The day the run was for' }) runOn!: string;
  @ApiProperty({ type: String, format: 'date-time' }) startedAt!: Date;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Null while the run is under way (or crashed)' })
  finishedAt!: Date | null;
  @ApiProperty({ example: 12, description: 'Customers due a reminder: queued + skipped by preference' }) found!: number;
  @ApiProperty({ example: 10, description: 'E-mails queued' }) queued!: number;
  @ApiProperty({ example: 2, description: 'Not sent: the customer turned the topic off' }) skippedByPreference!: number;
  @ApiProperty({ example: 9, description: 'Of the queued e-mails, sent so far' }) sent!: number;
  @ApiProperty({ example: 1, description: 'Of the queued e-mails, failed every retry' }) failed!: number;
}

export class ReminderRunListResponse {
  @ApiProperty({ type: [ReminderRunResponse] }) items!: ReminderRunResponse[];
}

export class FailedEmailResponse {
  @ApiProperty({ example: 501 }) id!: number;
  @ApiProperty({ example: 'invoice-overdue', description: 'The e-mail template' }) template!: string;
  @ApiProperty({ example: 'kovacs.anna@example.hu' }) recipient!: string;
  @ApiProperty({ example: 6 }) attempts!: number;
  @ApiProperty({ type: String, nullable: true, example: 'connection refused', description: 'The last attempt’s error' })
  lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
}

export class FailedEmailListResponse {
  @ApiProperty({ type: [FailedEmailResponse] }) items!: FailedEmailResponse[];
}

export class ResentEmailResponse {
  @ApiProperty({ example: 501, description: 'The failed e-mail sent again' }) id!: number;
  @ApiProperty({ enum: ['queued'], example: 'queued' }) status!: 'queued';
}
