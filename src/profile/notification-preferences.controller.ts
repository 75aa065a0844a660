import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiEndpoint, COOKIE_WITHOUT_CSRF } from '../core/api-contract';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { WriteLimited } from '../identity/write-limit.guard';
import { NOTIFICATION_TOPICS } from '../notifications/notification-preference.entity';
import { NotificationPreferenceService } from '../notifications/notification-preference.service';
import {
  NotificationPreferenceChangesDto,
  NotificationPreferencesResponse,
  UnsubscribedResponse,
} from '../notifications/notification-responses.dto';
import { UnsubscribeService } from '../notifications/unsubscribe.service';

/** Any subset of the topics, each true (e-mail me) or false; nothing else. */
const PREFERENCE_CHANGES = z
  .object(
    Object.fromEntries(NOTIFICATION_TOPICS.map((topic) => [topic, z.boolean({ invalid_type_error: 'must be true or false' }).optional()])),
  )
  .strict();

/** The customer's e-mail switches as JSON, and the one-click unsubscribe of RFC 8058. */
@ApiTags('customer details')
@Controller('api/v1/notifications')
export class NotificationPreferencesController {
  constructor(
    private readonly preferences: NotificationPreferenceService,
    private readonly unsubscribes: UnsubscribeService,
  ) {}

  @Get('preferences')
  @UseGuards(CustomerGuard)
  @ApiEndpoint({
    operationId: 'getNotificationPreferences',
    summary: 'Your e-mail switches, one per notification topic (true: e-mail me)',
    access: 'customer',
  })
  @ApiOkResponse({ type: NotificationPreferencesResponse })
  async get(@CurrentCustomer() customer: CustomerRef): Promise<NotificationPreferencesResponse> {
    return this.preferences.get(customer.companyId, customer.customerId);
  }

  @Put('preferences')
  @ApiEndpoint({
    operationId: 'updateNotificationPreferences',
    summary: 'Sets some or all switches at once; they apply to the next e-mail already. Answers with every switch.',
    access: 'customer',
    errors: {
      400: 'An unknown topic or a value that is not true or false',
      429: 'More writes a minute than allowed; retryAfterSeconds (and Retry-After) say when to try again',
    },
  })
  // Below @ApiEndpoint so its 429 (with ErrorResponse) is the documented one; the login guard runs before the limit.
  @WriteLimited()
  @UseGuards(CustomerGuard)
  @ApiBody({ type: NotificationPreferenceChangesDto })
  @ApiOkResponse({ type: NotificationPreferencesResponse, description: 'Every switch as it is now' })
  async put(@CurrentCustomer() customer: CustomerRef, @Body() body: unknown): Promise<NotificationPreferencesResponse> {
    const parsed = PREFERENCE_CHANGES.safeParse(body ?? {});
    if (!parsed.success) {
      throw new BadRequestException(
        parsed.error.issues.map((issue) =>
          issue.code === 'unrecognized_keys' ? `unknown topic: ${issue.keys.join(', ')}` : `${issue.path.join('.')} ${issue.message}`,
        ),
      );
    }
    return this.preferences.update(customer.companyId, customer.customerId, parsed.data);
  }

  /** RFC 8058 one-click: the mail client POSTs `List-Unsubscribe=One-Click` here, with no login. */
  @Post('unsubscribe/:token')
  @WriteLimited({ anonymous: 'servers' })
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'unsubscribeNotificationTopic',
    summary: "Turns off the topic of the e-mail whose List-Unsubscribe header named this URL (no login; the token is the e-mail's)",
    description: 'The one-click unsubscribe of RFC 8058: mail clients POST `List-Unsubscribe=One-Click` (the body is not read).',
    access: 'public',
    errors: { 403: COOKIE_WITHOUT_CSRF, 404: 'Not a token this portal signed' },
  })
  @ApiOkResponse({ type: UnsubscribedResponse })
  async unsubscribe(@Param('token') token: string): Promise<UnsubscribedResponse> {
    const target = await this.unsubscribes.unsubscribe(token);
    if (!target) throw new NotFoundException('Unknown or invalid unsubscribe link');
    return { topic: target.topic, email: false };
  }
}
