import { Controller, Get, NotFoundException, Param, ParseIntPipe, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, redirectSeeOther } from '../web/http';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { formatDate } from '../web/format';
import { FailedEmailService } from '../notifications/failed-email.service';
import { WriteLimited } from '../identity/write-limit.guard';

const TIME = new Intl.DateTimeFormat('hu-HU', { timeZone: 'Europe/Budapest', hour: '2-digit', minute: '2-digit', hour12: false });

/** Failed e-mails as a back-office page, each with a resend button (admins). */
@ApiExcludeController()
@Controller('backoffice/emails')
@UseGuards(BackofficeGuard)
@MinRole('admin')
@UseFilters(BackofficeRedirectFilter)
export class FailedEmailsPages {
  constructor(private readonly failed: FailedEmailService) {}

  @Get('failed')
  async page(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply): Promise<void> {
    const emails = await this.failed.list(clerk.companyId);
    res.render('approval/failed-emails', {
      titleKey: 'notifications.failed.title',
      emails: emails.map((email) => ({ ...email, createdAt: `${formatDate(email.createdAt)} ${TIME.format(email.createdAt)}` })),
    });
  }

  @Post(':id/resend')
  @WriteLimited()
  async resend(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Res() res: PageReply): Promise<void> {
    if (!(await this.failed.resend(clerk.companyId, id))) throw new NotFoundException();
    redirectSeeOther(res, '/backoffice/emails/failed');
  }
}
