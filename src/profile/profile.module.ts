import { Module } from '@nestjs/common';
import { ApprovalModule } from '../approval/approval.module';
import { MeteringModule } from '../metering/metering.module';
import { NotificationsModule } from '../notifications/notifications.module';
import { CalendarFeedController } from './calendar-feed.controller';
import { CompanySettingsController } from './company-settings.controller';
import { CompanySettingsPages } from './company-settings.pages';
import { DataChangeReview } from './data-change-review';
import { DataChangeService } from './data-change.service';
import { EInvoiceReview } from './e-invoice-review';
import { EInvoiceService } from './e-invoice.service';
import { NotificationPreferencesController } from './notification-preferences.controller';
import { NotificationPreferencesPages } from './notification-preferences.pages';
import { ProfileSettingsService } from './profile-settings.service';
import { ProfileController } from './profile.controller';
import { ProfilePages } from './profile.pages';

/**
 * Ügyféladatok: the customer's data changes and e-invoice consent, two request kinds
 * (`data_change`, `e_invoice`) registered on approval's RequestKinds, their pages and
 * API, what an applied change tells the billing back office (customer-change-export.ts,
 * read by the integration feed), and the admin's page of the company's settings for them
 * (what customers may change online, payment methods, answer deadlines).
 */
@Module({
  imports: [ApprovalModule, MeteringModule, NotificationsModule],
  // The customer's notification settings and calendar feed are part of Ügyféladatok; their data is notifications'.
  controllers: [
    ProfileController,
    ProfilePages,
    NotificationPreferencesController,
    NotificationPreferencesPages,
    CalendarFeedController,
    CompanySettingsPages,
    CompanySettingsController,
  ],
  providers: [ProfileSettingsService, DataChangeService, DataChangeReview, EInvoiceService, EInvoiceReview],
})
export class ProfileModule {}
