import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { ApprovalQueueService, InvalidCursorError, OpenState } from './approval-queue.service';
import { OPEN_REQUEST_STATES } from './request.entity';
import { RequestQueries } from './request-queries.service';
import { BULK_MAX, ClerkRef, ReviewService } from './review.service';
import { workflowHttpError } from './workflow-http-errors';
import { WriteLimited } from '../identity/write-limit.guard';

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

export class QueueQueryDto {
  @ApiPropertyOptional({ example: 'meter_reading' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  kind?: string;

  @ApiPropertyOptional({ enum: OPEN_REQUEST_STATES })
  @IsOptional()
  @IsIn(OPEN_REQUEST_STATES, { message: `state must be one of ${OPEN_REQUEST_STATES.join(', ')}` })
  state?: OpenState;

  @ApiPropertyOptional({ description: 'Only requests submitted more than this many days ago' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'olderThanDays must be an integer' })
  @Min(0)
  @Max(3650)
  olderThanDays?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @Transform(toBoolean)
  @IsIn([true, false], { message: 'flagged must be true or false' })
  flagged?: boolean;

  @ApiPropertyOptional({ description: 'The `next` cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(200)
  limit?: number;
}

export class VersionDto {
  @ApiProperty({ description: 'The version of the request you saw; a stale one gets 409' })
  @IsInt({ message: 'expectedVersion must be an integer' })
  @Min(1)
  expectedVersion!: number;
}

export class ApproveDto extends VersionDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class RejectDto extends VersionDto {
  @ApiProperty({ description: 'Shown to the customer ("elutasítva: …")' })
  @IsString({ message: 'reason must be a string' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @MinLength(1, { message: 'reason must not be empty' })
  @MaxLength(2000)
  reason!: string;
}

export class CommentDto {
  @ApiProperty({ description: 'An internal note (not shown to the customer)' })
  @IsString({ message: 'comment must be a string' })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @MinLength(1, { message: 'comment must not be empty' })
  @MaxLength(2000)
  comment!: string;
}

export class BulkItemDto {
  @ApiProperty()
  @IsInt({ message: 'requestId must be an integer' })
  @Min(1)
  requestId!: number;

  @ApiProperty()
  @IsInt({ message: 'expectedVersion must be an integer' })
  @Min(1)
  expectedVersion!: number;
}

export class BulkApproveDto {
  @ApiProperty({ type: [BulkItemDto] })
  @ValidateNested({ each: true })
  @Type(() => BulkItemDto)
  @ArrayMinSize(1, { message: 'items must not be empty' })
  @ArrayMaxSize(BULK_MAX)
  items!: BulkItemDto[];
}

export const clerkRef = (clerk: ClerkIdentity): ClerkRef => ({ id: clerk.clerkId, role: clerk.role });

/** The clerk work queue and review operations as JSON, for integration. Scoped to the clerk's company. */
@ApiTags('back office: requests')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Not logged in as a clerk' })
@ApiResponse({ status: 403, description: 'A customer, or a role that does not allow this' })
@Controller('api/v1/backoffice/requests')
@UseGuards(BackofficeGuard)
export class BackofficeRequestsController {
  constructor(
    private readonly queue: ApprovalQueueService,
    private readonly queries: RequestQueries,
    private readonly review: ReviewService,
  ) {}

  @Get()
  @ApiResponse({ status: 200, description: 'Open requests, oldest first: { items, next } (pass next as `after`)' })
  @ApiResponse({ status: 400, description: 'Invalid filter or cursor' })
  async list(@Clerk() clerk: ClerkIdentity, @Query() query: QueueQueryDto) {
    try {
      const page = await this.queue.list(clerk.companyId, {
        kinds: query.kind ? [query.kind] : undefined,
        states: query.state ? [query.state] : undefined,
        olderThanDays: query.olderThanDays,
        flagged: query.flagged,
        after: query.after,
        limit: query.limit,
      });
      return { items: await this.queries.rows(clerk.companyId, page.items), next: page.next };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new BadRequestException(['after must be a cursor of this queue']);
      throw error;
    }
  }

  @Post('bulk-approve')
  @WriteLimited()
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'One outcome per item: { requestId, ok, version } or { requestId, ok: false, error }' })
  async bulkApprove(@Clerk() clerk: ClerkIdentity, @Body() body: BulkApproveDto) {
    const outcomes = await this.review.bulkApprove(clerk.companyId, clerkRef(clerk), body.items);
    return { approved: outcomes.filter((o) => o.ok).length, outcomes };
  }

  @Get(':id')
  @ApiResponse({ status: 200, description: 'The request with customer, meter, hints, reading history and full transition log' })
  @ApiResponse({ status: 404, description: 'No such request in your company' })
  async get(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number) {
    const detail = await this.queries.detail(clerk.companyId, id);
    if (!detail) throw new NotFoundException('No such request');
    return detail;
  }

  @Post(':id/claim')
  @WriteLimited()
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'Claimed: { requestId, from, to, version }' })
  @ApiResponse({ status: 409, description: 'Stale version, or the state does not accept it' })
  async claim(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Body() body: VersionDto) {
    return unwrap(await this.review.claim(clerk.companyId, clerkRef(clerk), id, body.expectedVersion));
  }

  @Post(':id/release')
  @WriteLimited()
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'Back in the queue' })
  @ApiResponse({ status: 409, description: 'Stale version, or the state does not accept it' })
  async release(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Body() body: VersionDto) {
    return unwrap(await this.review.release(clerk.companyId, clerkRef(clerk), id, body.expectedVersion));
  }

  @Post(':id/approve')
  @WriteLimited()
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'Approved; the worker applies it' })
  @ApiResponse({ status: 409, description: 'Stale version (someone else decided it meanwhile), or the state does not accept it' })
  async approve(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Body() body: ApproveDto) {
    return unwrap(await this.review.approve(clerk.companyId, clerkRef(clerk), id, body.expectedVersion, body.comment));
  }

  @Post(':id/reject')
  @WriteLimited()
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'Rejected; the customer sees the reason' })
  @ApiResponse({ status: 400, description: 'No reason' })
  @ApiResponse({ status: 409, description: 'Stale version, or the state does not accept it' })
  async reject(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Body() body: RejectDto) {
    return unwrap(await this.review.reject(clerk.companyId, clerkRef(clerk), id, body.expectedVersion, body.reason));
  }

  @Post(':id/comment')
  @WriteLimited()
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'Noted in the log (state and version unchanged)' })
  async comment(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Body() body: CommentDto) {
    return unwrap(await this.review.comment(clerk.companyId, clerkRef(clerk), id, body.comment));
  }

  @Post(':id/retry')
  @WriteLimited()
  @HttpCode(200)
  @MinRole('supervisor')
  @ApiResponse({ status: 200, description: 'A failed application queued again (supervisor or admin)' })
  @ApiResponse({ status: 409, description: 'Stale version, or not apply_failed' })
  async retry(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Body() body: VersionDto) {
    return unwrap(await this.review.retry(clerk.companyId, clerkRef(clerk), id, body.expectedVersion));
  }
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: Parameters<typeof workflowHttpError>[0] }): T {
  if (!result.ok) throw workflowHttpError(result.error);
  return result.value;
}
