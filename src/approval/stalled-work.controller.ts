import { Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { ApiEndpoint } from '../core/api-contract';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { WriteLimited } from '../identity/write-limit.guard';
import { ResentOutboxResponse, StalledWorkResponse } from './stalled-work-responses.dto';
import { StalledWorkService } from './stalled-work.service';

export class StalledQueryDto {
  @ApiPropertyOptional({
    description: 'Waiting longer than this many minutes (default STALLED_AFTER_MINUTES)',
    minimum: 0,
    maximum: 100000,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'olderThanMinutes must be an integer' })
  @Min(0)
  @Max(100_000)
  olderThanMinutes?: number;
}

@ApiTags('back office: stalled work')
@Controller('api/v1/backoffice/stalled')
@UseGuards(BackofficeGuard)
@MinRole('supervisor')
export class StalledWorkController {
  constructor(private readonly stalled: StalledWorkService) {}

  @Get()
  @ApiEndpoint({
    operationId: 'listStalledWork',
    summary: 'Requests approved but not applied, and outbox rows not completed, waiting longer than olderThanMinutes (supervisor)',
    access: 'clerk',
    errors: { 400: 'olderThanMinutes is not an integer from 0 to 100000' },
  })
  @ApiOkResponse({ type: StalledWorkResponse })
  list(@Clerk() clerk: ClerkIdentity, @Query() query: StalledQueryDto): Promise<StalledWorkResponse> {
    return this.stalled.list(clerk.companyId, query.olderThanMinutes);
  }

  @Post('outbox/:id/resend')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'resendOutboxRow',
    summary: 'Sends an unfinished outbox row to its queue again (supervisor); a job still waiting in the queue is left as it is',
    access: 'clerk',
    errors: { 400: 'The id is not an integer', 404: 'No unfinished outbox row with this id in your company' },
  })
  @ApiOkResponse({ type: ResentOutboxResponse })
  async resend(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number): Promise<ResentOutboxResponse> {
    if (!(await this.stalled.resend(clerk.companyId, id))) throw new NotFoundException(`No unfinished outbox row ${id}`);
    return { outboxId: id, resent: true };
  }
}
