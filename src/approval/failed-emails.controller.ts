import { Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { FailedEmailService, FailedEmailView } from '../notifications/failed-email.service';

/** E-mails of the admin's company that failed every retry, and sending one again (admins). */
@ApiTags('back office')
@Controller('api/v1/backoffice/emails')
@UseGuards(BackofficeGuard)
@MinRole('admin')
@ApiBearerAuth()
export class FailedEmailsController {
  constructor(private readonly failed: FailedEmailService) {}

  @Get('failed')
  @ApiOperation({ summary: 'E-mails that failed every retry, newest first (admin)' })
  async list(@Clerk() clerk: ClerkIdentity): Promise<{ items: FailedEmailView[] }> {
    return { items: await this.failed.list(clerk.companyId) };
  }

  @Post(':id/resend')
  @HttpCode(202)
  @ApiOperation({ summary: 'Queues a failed e-mail again, with fresh retries (admin)' })
  @ApiResponse({ status: 404, description: 'No failed e-mail with this id in your company' })
  async resend(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number): Promise<{ id: number; status: 'queued' }> {
    if (!(await this.failed.resend(clerk.companyId, id))) throw new NotFoundException('No failed e-mail with this id in your company');
    return { id, status: 'queued' };
  }
}
