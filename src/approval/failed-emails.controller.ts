import { Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint } from '../core/api-contract';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { WriteLimited } from '../identity/write-limit.guard';
import { FailedEmailService } from '../notifications/failed-email.service';
import { FailedEmailListResponse, ResentEmailResponse } from '../notifications/notification-responses.dto';

/** E-mails of the admin's company that failed every retry, and sending one again (admins). */
@ApiTags('back office')
@Controller('api/v1/backoffice/emails')
@UseGuards(BackofficeGuard)
@MinRole('admin')
export class FailedEmailsController {
  constructor(private readonly failed: FailedEmailService) {}

  @Get('failed')
  @ApiEndpoint({
    operationId: 'listFailedEmails',
    summary: 'E-mails that failed every retry, newest first (admin)',
    access: 'clerk',
  })
  @ApiOkResponse({ type: FailedEmailListResponse })
  async list(@Clerk() clerk: ClerkIdentity): Promise<FailedEmailListResponse> {
    return { items: await this.failed.list(clerk.companyId) };
  }

  @Post(':id/resend')
  @HttpCode(202)
  @ApiEndpoint({
    operationId: 'resendFailedEmail',
    summary: 'Queues a failed e-mail again, with fresh retries (admin)',
    access: 'clerk',
    errors: {
      400: 'The id is not an integer',
      404: 'No failed e-mail with this id in your company',
      429: 'More writes a minute than allowed; retryAfterSeconds (and Retry-After) say when to try again',
    },
  })
  @WriteLimited()
  @ApiAcceptedResponse({ type: ResentEmailResponse, description: 'Queued; it is sent in the background' })
  async resend(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number): Promise<ResentEmailResponse> {
    if (!(await this.failed.resend(clerk.companyId, id))) throw new NotFoundException('No failed e-mail with this id in your company');
    return { id, status: 'queued' };
  }
}
