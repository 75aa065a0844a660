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
  Res,
  UseGuards,
} from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
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
import { PageReply } from '../web/http';
import { ApiEndpoint, ErrorAnswers } from '../core/api-contract';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { pageLanguage } from '../web/page-text';
import { ApprovalQueueService, InvalidCursorError, OpenState } from './approval-queue.service';
import { OPEN_REQUEST_STATES } from './request.entity';
import { QueueRow, RequestQueries } from './request-queries.service';
import {
  BulkApproveResponse,
  CommentedResponse,
  QueuePageResponse,
  QueueRowResponse,
  RequestDetailResponse,
  TransitionResponse,
} from './request-responses.dto';
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

/** A queue row as the JSON API gives it: the page's labels left out, the kind's stored hints in. */
function toJson(row: QueueRow): QueueRowResponse {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    version: row.version,
    flagged: row.flagged,
    createdAt: row.createdAt,
    answerDueAt: row.answerDueAt,
    dueSoon: row.dueSoon,
    customer: row.customer,
    summary: row.summary,
    details: row.details,
    hints: row.hintData,
    bulkApprovable: row.bulkApprovable,
    assignedClerk: row.assignedClerk,
  };
}

/** The refusals of a clerk's state change of one request. */
const TRANSITION_ERRORS: ErrorAnswers = {
  400: 'The id or expectedVersion is not an integer',
  404: 'No such request in your company',
  409: 'Stale version (someone else changed it meanwhile), or the state does not accept it',
};

/** The clerk work queue and review operations as JSON, for integration. Scoped to the clerk's company. */
@ApiTags('back office: requests')
@Controller('api/v1/backoffice/requests')
@UseGuards(BackofficeGuard)
export class BackofficeRequestsController {
  constructor(
    private readonly queue: ApprovalQueueService,
    private readonly queries: RequestQueries,
    private readonly review: ReviewService,
  ) {}

  @Get()
  @ApiEndpoint({
    operationId: 'listQueue',
    summary: 'The work queue: open requests, oldest first, a page at a time (pass next as after)',
    access: 'clerk',
    errors: { 400: 'Invalid filter or cursor' },
  })
  @ApiOkResponse({ type: QueuePageResponse })
  async list(
    @Clerk() clerk: ClerkIdentity,
    @Query() query: QueueQueryDto,
    @Res({ passthrough: true }) res: PageReply,
  ): Promise<QueuePageResponse> {
    try {
      const page = await this.queue.list(clerk.companyId, {
        kinds: query.kind ? [query.kind] : undefined,
        states: query.state ? [query.state] : undefined,
        olderThanDays: query.olderThanDays,
        flagged: query.flagged,
        after: query.after,
        limit: query.limit,
      });
      const rows = await this.queries.rows(clerk.companyId, page.items, pageLanguage(res));
      return { items: rows.map(toJson), next: page.next };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new BadRequestException(['after must be a cursor of this queue']);
      throw error;
    }
  }

  @Post('bulk-approve')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'bulkApprove',
    summary: 'Approves many unflagged requests of kinds that may be approved in bulk at once; one outcome per item',
    access: 'clerk',
    errors: { 400: 'No items, too many, or an item is malformed' },
  })
  @ApiOkResponse({ type: BulkApproveResponse })
  async bulkApprove(@Clerk() clerk: ClerkIdentity, @Body() body: BulkApproveDto): Promise<BulkApproveResponse> {
    const outcomes = await this.review.bulkApprove(clerk.companyId, clerkRef(clerk), body.items);
    return { approved: outcomes.filter((o) => o.ok).length, outcomes };
  }

  @Get(':id')
  @ApiEndpoint({
    operationId: 'getQueueRequest',
    summary: 'A request with its customer, the kind’s details and hints, its payload and full transition log',
    access: 'clerk',
    errors: { 400: 'The id is not an integer', 404: 'No such request in your company' },
  })
  @ApiOkResponse({ type: RequestDetailResponse })
  async get(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Res({ passthrough: true }) res: PageReply,
  ): Promise<RequestDetailResponse> {
    const detail = await this.queries.detail(clerk.companyId, id, pageLanguage(res));
    if (!detail) throw new NotFoundException('No such request');
    return { ...toJson(detail), payload: detail.payload, log: detail.log };
  }

  @Post(':id/claim')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({ operationId: 'claimRequest', summary: 'Claims a request for review', access: 'clerk', errors: TRANSITION_ERRORS })
  @ApiOkResponse({ type: TransitionResponse, description: 'Claimed' })
  async claim(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Body() body: VersionDto): Promise<TransitionResponse> {
    return unwrap(await this.review.claim(clerk.companyId, clerkRef(clerk), id, body.expectedVersion));
  }

  @Post(':id/release')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'releaseRequest',
    summary: 'Puts a claimed request back in the queue',
    access: 'clerk',
    errors: TRANSITION_ERRORS,
  })
  @ApiOkResponse({ type: TransitionResponse, description: 'Back in the queue' })
  async release(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: VersionDto,
  ): Promise<TransitionResponse> {
    return unwrap(await this.review.release(clerk.companyId, clerkRef(clerk), id, body.expectedVersion));
  }

  @Post(':id/approve')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'approveRequest',
    summary: 'Approves a request; the worker applies it',
    access: 'clerk',
    errors: TRANSITION_ERRORS,
  })
  @ApiOkResponse({ type: TransitionResponse, description: 'Approved' })
  async approve(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ApproveDto,
  ): Promise<TransitionResponse> {
    return unwrap(await this.review.approve(clerk.companyId, clerkRef(clerk), id, body.expectedVersion, body.comment));
  }

  @Post(':id/reject')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'rejectRequest',
    summary: 'Rejects a request with a reason the customer sees',
    access: 'clerk',
    errors: { ...TRANSITION_ERRORS, 400: 'No reason, or the id or expectedVersion is not an integer' },
  })
  @ApiOkResponse({ type: TransitionResponse, description: 'Rejected' })
  async reject(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Body() body: RejectDto): Promise<TransitionResponse> {
    return unwrap(await this.review.reject(clerk.companyId, clerkRef(clerk), id, body.expectedVersion, body.reason));
  }

  @Post(':id/comment')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'commentRequest',
    summary: 'Adds an internal note to a request’s log (state and version unchanged)',
    access: 'clerk',
    errors: { 400: 'No comment, or the id is not an integer', 404: 'No such request in your company' },
  })
  @ApiOkResponse({ type: CommentedResponse, description: 'Noted in the log' })
  async comment(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: CommentDto,
  ): Promise<CommentedResponse> {
    return unwrap(await this.review.comment(clerk.companyId, clerkRef(clerk), id, body.comment));
  }

  @Post(':id/retry')
  @WriteLimited()
  @HttpCode(200)
  @MinRole('supervisor')
  @ApiEndpoint({
    operationId: 'retryRequest',
    summary: 'Queues a failed application again (supervisor)',
    access: 'clerk',
    errors: TRANSITION_ERRORS,
  })
  @ApiOkResponse({ type: TransitionResponse, description: 'Queued again' })
  async retry(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Body() body: VersionDto): Promise<TransitionResponse> {
    return unwrap(await this.review.retry(clerk.companyId, clerkRef(clerk), id, body.expectedVersion));
  }
}

function unwrap<T>(result: { ok: true; value: T } | { ok: false; error: Parameters<typeof workflowHttpError>[0] }): T {
  if (!result.ok) throw workflowHttpError(result.error);
  return result.value;
}
