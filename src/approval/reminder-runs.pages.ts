import { Controller, Get, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply } from '../web/http';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { formatDate } from '../web/format';
import { ReminderService } from '../notifications/reminder.service';

const TIME = new Intl.DateTimeFormat('hu-HU', { timeZone: 'Europe/Budapest', hour: '2-digit', minute: '2-digit', hour12: false });
const when = (at: Date) => `${formatDate(at)} ${TIME.format(at)}`;

/** The scheduled reminder runs as a back-office page (supervisors and admins). */
@ApiExcludeController()
@Controller('backoffice/reminder-runs')
@UseGuards(BackofficeGuard)
@MinRole('supervisor')
@UseFilters(BackofficeRedirectFilter)
export class ReminderRunsPages {
  constructor(private readonly reminders: ReminderService) {}

  @Get()
  async page(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply): Promise<void> {
    const runs = await this.reminders.lastRuns(clerk.companyId);
    res.render('approval/reminder-runs', {
      titleKey: 'notifications.runs.title',
      runs: runs.map((run) => ({
        ...run,
        kindKey: `notifications.runs.kind.${run.kind}`,
        runOn: formatDate(run.runOn),
        startedAt: when(run.startedAt),
        finishedAt: run.finishedAt ? when(run.finishedAt) : null,
      })),
    });
  }
}
