import {
  Body,
  Controller,
  Get,
  HttpCode,
  HttpException,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { ApiEndpoint } from '../core/api-contract';
import { BackofficeGuard, Clerk } from '../identity/clerk.guard';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { WriteLimited } from '../identity/write-limit.guard';
import { ManualAllocationError, ManualAllocationService } from './manual-allocation.service';
import { PaymentQueries } from './payment-queries.service';
import { ClerkPaymentDetailResponse, ClerkPaymentPageResponse, ManualAllocationResponse } from './payment-responses.dto';
import { PAYMENT_STATUSES, PaymentStatus } from './payment.entity';

export class PaymentListQuery {
  @ApiPropertyOptional({ enum: PAYMENT_STATUSES })
  @IsOptional()
  @IsIn(PAYMENT_STATUSES)
  state?: PaymentStatus;

  @ApiPropertyOptional({ example: '2026-11-01', description: 'Created on or after this day (Hungarian time)' })
  @IsOptional()
  @Matches(/^\d{4}-\d\d-\d\d$/, { message: 'from must be a date (YYYY-MM-DD)' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-30', description: 'Created on or before this day' })
  @IsOptional()
  @Matches(/^\d{4}-\d\d-\d\d$/, { message: 'to must be a date (YYYY-MM-DD)' })
  to?: string;

  @ApiPropertyOptional({ description: 'Only flagged (true) or only unflagged (false) payments' })
  @IsOptional()
  @Type(() => String)
  @IsIn(['true', 'false'])
  flagged?: string;

  @ApiPropertyOptional({ description: "One customer's payments" })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  customerId?: number;

  @ApiPropertyOptional({ description: 'Older than this payment id (the next page)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  before?: number;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

class AllocationDto {
  @ApiProperty() @IsInt() @Min(1) debtItemId!: number;
  @ApiProperty({ description: 'Whole forints' }) @IsInt() @Min(0) amount!: number;
}

export class ManualAllocationDto {
  @ApiProperty({ type: [AllocationDto] })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => AllocationDto)
  allocations!: AllocationDto[];

  @ApiPropertyOptional({ description: 'Why, for the audit trail' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  note?: string;
}

export function manualAllocationHttpError(error: ManualAllocationError): HttpException {
  const status = error.code === 'payment_not_found' ? 404 : error.code === 'not_flagged' ? 409 : 400;
  return new HttpException({ statusCode: status, ...error }, status);
}

/** The company's card payments for clerks, and the manual allocation of a flagged one. */
@ApiTags('back office: payments')
@Controller('api/v1/backoffice/payments')
@UseGuards(BackofficeGuard)
export class BackofficePaymentsController {
  constructor(
    private readonly queries: PaymentQueries,
    private readonly allocation: ManualAllocationService,
  ) {}

  @Get()
  @ApiEndpoint({
    operationId: 'listBackofficePayments',
    summary: 'The company’s card payments, newest first, with allocations and bank reference (pass next as before)',
    access: 'clerk',
    errors: { 400: 'Invalid filter' },
  })
  @ApiOkResponse({ type: ClerkPaymentPageResponse })
  async list(@Clerk() clerk: ClerkIdentity, @Query() query: PaymentListQuery): Promise<ClerkPaymentPageResponse> {
    const limit = query.limit ?? 50;
    const items = await this.queries.list(clerk.companyId, {
      status: query.state,
      from: query.from,
      to: query.to,
      flagged: query.flagged === undefined ? undefined : query.flagged === 'true',
      customerId: query.customerId,
      beforeId: query.before,
      limit,
    });
    return { items, next: items.length === limit ? items[items.length - 1].id : null };
  }

  @Get(':id')
  @ApiEndpoint({
    operationId: 'getBackofficePayment',
    summary: 'A card payment with allocations, bank reference and its trail',
    access: 'clerk',
    errors: { 400: 'The id is not an integer', 404: 'No such payment in your company' },
  })
  @ApiOkResponse({ type: ClerkPaymentDetailResponse })
  async one(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number): Promise<ClerkPaymentDetailResponse> {
    const payment = await this.queries.payment(clerk.companyId, id);
    if (!payment) throw new NotFoundException('No such payment');
    return { ...payment, events: await this.queries.events(clerk.companyId, id) };
  }

  @Post(':id/allocations')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'allocatePayment',
    summary: 'Allocates a flagged payment to the customer’s open items by hand; the flag is cleared and the trail names you',
    access: 'clerk',
    errors: {
      400: "Invalid input, an amount beyond what is paid or owed, or another customer's item",
      404: 'No such payment in your company',
      409: 'The payment is not a succeeded, flagged one',
    },
  })
  @ApiOkResponse({ type: ManualAllocationResponse, description: 'Allocated' })
  async allocate(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: ManualAllocationDto,
  ): Promise<ManualAllocationResponse> {
    const result = await this.allocation.allocate(clerk.companyId, clerk.clerkId, id, body.allocations, body.note ?? '');
    if (!result.ok) throw manualAllocationHttpError(result.error);
    return result.value;
  }
}
