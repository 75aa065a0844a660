import { Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { ClerkIdentity } from '../identity/clerk-auth.service';
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
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Not logged in as a clerk' })
@ApiResponse({ status: 403, description: 'A customer, or a clerk below supervisor' })
@Controller('api/v1/backoffice/stalled')
@UseGuards(BackofficeGuard)
@MinRole('supervisor')
export class StalledWorkController {
  constructor(private readonly stalled: StalledWorkService) {}

  @Get()
  @ApiResponse({
    status: 200,
    description: "The company's requests approved but not applied, and outbox rows not completed, waiting longer than olderThanMinutes",
  })
  list(@Clerk() clerk: ClerkIdentity, @Query() query: StalledQueryDto) {
    return this.stalled.list(clerk.companyId, query.olderThanMinutes);
  }

  @Post('outbox/:id/resend')
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'Sent again (a job still waiting in the queue is left as it is)' })
  @ApiResponse({ status: 404, description: 'No unfinished outbox row with this id in your company' })
  async resend(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number) {
    if (!(await this.stalled.resend(clerk.companyId, id))) throw new NotFoundException(`No unfinished outbox row ${id}`);
    return { outboxId: id, resent: true };
  }
}
