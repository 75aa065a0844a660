import { Body, Controller, Get, NotFoundException, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, redirectSeeOther } from '../web/http';
import { CsrfTokenGuard, CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { isLanguage, translate } from '../web/i18n';
import { CalendarFeedService } from '../notifications/calendar-feed.service';
import { NOTIFICATION_TOPICS } from '../notifications/notification-preference.entity';
import { NotificationPreferenceService, NotificationPreferences } from '../notifications/notification-preference.service';
import { UnsubscribeService } from '../notifications/unsubscribe.service';
import { WriteLimited } from '../identity/write-limit.guard';

/**
 * What the `notifications/preferences` partial needs, as `preferenceTopics`; a page
 * that includes the partial (e.g. the profile) passes this too.
 */
export function preferenceTopicsView(preferences: NotificationPreferences): Array<{ topic: string; labelKey: string; email: boolean }> {
  return NOTIFICATION_TOPICS.map((topic) => ({ topic, labelKey: `notifications.topic.${topic}`, email: preferences[topic] }));
}

/** The e-mail switches as a page, and the unsubscribe page an e-mail's link opens. */
@ApiExcludeController()
@Controller('notifications')
export class NotificationPreferencesPages {
  constructor(
    private readonly preferences: NotificationPreferenceService,
    private readonly unsubscribes: UnsubscribeService,
    private readonly calendars: CalendarFeedService,
  ) {}

  @Get('settings')
  @UseGuards(CustomerGuard)
  async settings(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply, @Query() query: Record<string, unknown>): Promise<void> {
    const language = isLanguage(res.locals.lang) ? res.locals.lang : 'hu';
    const flashKey =
      query.saved === '1' ? 'notifications.settings.saved' : query.calendar === 'revoked' ? 'notifications.calendar.revoked' : null;
    await this.renderSettings(res, customer, flashKey ? { kind: 'success', message: translate(language, flashKey) } : undefined);
  }

  /** The new secret calendar URL is shown on this one answer only. */
  @Post('calendar')
  @WriteLimited()
  @UseGuards(CustomerGuard)
  async createCalendar(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply): Promise<void> {
    const calendarUrl = await this.calendars.create(customer.companyId, customer.customerId);
    res.status(200);
    await this.renderSettings(res, customer, undefined, calendarUrl);
  }

  @Post('calendar/revoke')
  @WriteLimited()
  @UseGuards(CustomerGuard)
  async revokeCalendar(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply): Promise<void> {
    await this.calendars.revoke(customer.companyId, customer.customerId);
    redirectSeeOther(res, '/notifications/settings?calendar=revoked');
  }

  private async renderSettings(
    res: PageReply,
    customer: CustomerRef,
    flash: { kind: string; message: string } | undefined,
    calendarUrl?: string,
  ): Promise<void> {
    res.render('notifications/settings', {
      titleKey: 'notifications.settings.title',
      preferenceTopics: preferenceTopicsView(await this.preferences.get(customer.companyId, customer.customerId)),
      calendarActive: await this.calendars.exists(customer.companyId, customer.customerId),
      calendarUrl,
      flash,
    });
  }

  /** A checkbox left unticked is not sent at all: every topic not in the form is off. */
  @Post('settings')
  @WriteLimited()
  @UseGuards(CustomerGuard)
  async save(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply, @Body() body: Record<string, unknown>): Promise<void> {
    const choices = Object.fromEntries(NOTIFICATION_TOPICS.map((topic) => [topic, body?.[topic] === 'on'])) as NotificationPreferences;
    await this.preferences.update(customer.companyId, customer.customerId, choices);
    redirectSeeOther(res, '/notifications/settings?saved=1');
  }

  @Get('unsubscribe/:token')
  @UseGuards(CsrfTokenGuard)
  async unsubscribePage(@Param('token') token: string, @Res() res: PageReply): Promise<void> {
    const target = await this.unsubscribes.target(token);
    if (!target) throw new NotFoundException();
    res.render('notifications/unsubscribe', {
      titleKey: 'notifications.unsubscribe.title',
      token,
      topicKey: `notifications.topic.${target.topic}`,
      done: false,
    });
  }

  @Post('unsubscribe/:token')
  @WriteLimited({ anonymous: 'people' })
  async unsubscribe(@Param('token') token: string, @Res() res: PageReply): Promise<void> {
    const target = await this.unsubscribes.unsubscribe(token);
    if (!target) throw new NotFoundException();
    res.status(200).render('notifications/unsubscribe', {
      titleKey: 'notifications.unsubscribe.title',
      token,
      topicKey: `notifications.topic.${target.topic}`,
      done: true,
    });
  }
}
