import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Put, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { NOTIFICATION_TOPICS } from '../notifications/notification-preference.entity';
import { NotificationPreferenceService, NotificationPreferences } from '../notifications/notification-preference.service';
import { UnsubscribeService } from '../notifications/unsubscribe.service';

/** Any subset of the topics, each true (e-mail me) or false; nothing else. */
const PREFERENCE_CHANGES = z
  .object(
    Object.fromEntries(NOTIFICATION_TOPICS.map((topic) => [topic, z.boolean({ invalid_type_error: 'must be true or false' }).optional()])),
  )
  .strict();

/** The customer's e-mail switches as JSON, and the one-click unsubscribe of RFC 8058. */
@ApiTags('notifications')
@Controller('api/v1/notifications')
export class NotificationPreferencesController {
  constructor(
    private readonly preferences: NotificationPreferenceService,
    private readonly unsubscribes: UnsubscribeService,
  ) {}

  @Get('preferences')
  @UseGuards(CustomerGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Your e-mail switches, one per notification topic (true: e-mail me)' })
  async get(@CurrentCustomer() customer: CustomerRef): Promise<NotificationPreferences> {
    return this.preferences.get(customer.companyId, customer.customerId);
  }

  @Put('preferences')
  @UseGuards(CustomerGuard)
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Sets some or all switches at once; they apply to the next e-mail already. Answers with every switch.' })
  @ApiBody({ schema: { type: 'object', properties: Object.fromEntries(NOTIFICATION_TOPICS.map((topic) => [topic, { type: 'boolean' }])) } })
  @ApiResponse({ status: 400, description: 'An unknown topic or a value that is not true or false' })
  async put(@CurrentCustomer() customer: CustomerRef, @Body() body: unknown): Promise<NotificationPreferences> {
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
  @HttpCode(200)
  @ApiOperation({
    summary: "Turns off the topic of the e-mail whose List-Unsubscribe header named this URL (no login; the token is the e-mail's)",
  })
  @ApiResponse({ status: 404, description: 'Not a token this portal signed' })
  async unsubscribe(@Param('token') token: string): Promise<{ topic: string; email: false }> {
    const target = await this.unsubscribes.unsubscribe(token);
    if (!target) throw new NotFoundException('Unknown or invalid unsubscribe link');
    return { topic: target.topic, email: false };
  }
}
