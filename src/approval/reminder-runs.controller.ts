import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint } from '../core/api-contract';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { ReminderRunListResponse } from '../notifications/notification-responses.dto';
import { ReminderService } from '../notifications/reminder.service';

/** The scheduled reminder runs of the clerk's company (supervisors and admins). */
@ApiTags('back office')
@Controller('api/v1/backoffice/reminder-runs')
@UseGuards(BackofficeGuard)
@MinRole('supervisor')
export class ReminderRunsController {
  constructor(private readonly reminders: ReminderService) {}

  @Get()
  @ApiEndpoint({
    operationId: 'listReminderRuns',
    summary: 'The latest reminder runs, newest first: found, queued, skipped by preference, sent, failed (supervisor)',
    access: 'clerk',
  })
  @ApiOkResponse({ type: ReminderRunListResponse })
  async list(@Clerk() clerk: ClerkIdentity): Promise<ReminderRunListResponse> {
    return { items: await this.reminders.lastRuns(clerk.companyId) };
  }
}
