import { Controller, Get, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { ReminderRunView, ReminderService } from '../notifications/reminder.service';

/** The scheduled reminder runs of the clerk's company (supervisors and admins). */
@ApiTags('back office')
@Controller('api/v1/backoffice/reminder-runs')
@UseGuards(BackofficeGuard)
@MinRole('supervisor')
@ApiBearerAuth()
export class ReminderRunsController {
  constructor(private readonly reminders: ReminderService) {}

  @Get()
  @ApiOperation({ summary: 'The latest reminder runs, newest first: found, queued, skipped by preference, sent, failed (supervisor)' })
  async list(@Clerk() clerk: ClerkIdentity): Promise<{ items: ReminderRunView[] }> {
    return { items: await this.reminders.lastRuns(clerk.companyId) };
  }
}
