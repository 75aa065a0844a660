import { Controller, Get, NotFoundException, Param, ParseIntPipe, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, redirectSeeOther } from '../web/http';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { pageText } from '../web/page-text';
import { RequestKinds } from './request-kind';
import { StalledWorkService } from './stalled-work.service';
import { WriteLimited } from '../identity/write-limit.guard';

const minutesSince = (moment: Date | null) => (moment ? Math.floor((Date.now() - moment.getTime()) / 60_000) : null);

/** The minutes a supervisor may pick on the page (the default comes from STALLED_AFTER_MINUTES). */
const MINUTES = ['5', '10', '30', '60', '240', '1440'];

/** Work waiting too long, with a re-send button per outbox row (supervisors and admins). */
@ApiExcludeController()
@Controller('backoffice/stalled')
@UseGuards(BackofficeGuard)
@MinRole('supervisor')
@UseFilters(BackofficeRedirectFilter)
export class StalledWorkPages {
  constructor(
    private readonly stalled: StalledWorkService,
    private readonly kinds: RequestKinds,
  ) {}

  @Get()
  async page(
    @Clerk() clerk: ClerkIdentity,
    @Res() res: PageReply,
    @Query('minutes') minutes?: string,
    @Query('resent') resent?: string,
  ): Promise<void> {
    const chosen = typeof minutes === 'string' && MINUTES.includes(minutes) ? Number(minutes) : undefined;
    const work = await this.stalled.list(clerk.companyId, chosen);
    res.render('approval/stalled', {
      titleKey: 'approval.stalled.title',
      ...(typeof resent === 'string' && /^\d{1,18}$/.test(resent)
        ? {
            flash: { kind: 'success', message: pageText(res, 'approval.stalled.resent', { id: resent }) },
          }
        : {}),
      minutes: MINUTES.map((value) => ({ value, selected: Number(value) === work.olderThanMinutes })),
      olderThanMinutes: work.olderThanMinutes,
      requests: work.requests.map((request) => ({
        ...request,
        kindKey: this.kinds.get(request.kind).labelKey,
        waitingMinutes: minutesSince(request.approvedAt),
      })),
      outbox: work.outbox.map((row) => ({
        ...row,
        job: `${row.queue}/${row.jobName}`,
        waitingMinutes: minutesSince(row.createdAt),
        relayedMinutesAgo: minutesSince(row.relayedAt),
      })),
    });
  }

  @Post('outbox/:id/resend')
  @WriteLimited()
  async resend(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Param('id', ParseIntPipe) id: number): Promise<void> {
    if (!(await this.stalled.resend(clerk.companyId, id))) throw new NotFoundException();
    redirectSeeOther(res, `/backoffice/stalled?resent=${id}`);
  }
}
