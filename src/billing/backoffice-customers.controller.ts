import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  Get,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsNumber, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { PageRequest } from '../web/http';
import { ApiEndpoint } from '../core/api-contract';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { WriteLimited } from '../identity/write-limit.guard';
import { AddedBaseRateResponse, BaseRateListResponse, CustomerDetailResponse, CustomerHitListResponse } from './billing-responses.dto';
import { AddBaseRateResult, BASE_RATE_EDITOR, BaseRates } from './base-rates.service';
import { CustomerLookup, MIN_SEARCH_LENGTH } from './customer-lookup.service';

export class CustomerSearchDto {
  @ApiPropertyOptional({
    example: 'SU00',
    description: `The start of a customer code, name, e-mail, address or invoice number (at least ${MIN_SEARCH_LENGTH} characters)`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
}

export class AddBaseRateDto {
  @ApiProperty({ example: '2026-12-17', description: 'The day the rate takes effect' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'validFrom must be a date (YYYY-MM-DD)' })
  validFrom!: string;

  @ApiProperty({ example: 6.25, description: 'Percent a year, at most two decimals' })
  @Type(() => Number)
  @IsNumber({ maxDecimalPlaces: 2 }, { message: 'rate must be a number with at most two decimals' })
  @Min(0)
  @Max(99.99)
  rate!: number;
}

/** A refused base rate as an HTTP answer. */
export function baseRateError(result: Exclude<AddBaseRateResult, { kind: 'added' }>): Error {
  if (result.kind === 'forbidden') return new ForbiddenException(`Adding a base rate needs the ${BASE_RATE_EDITOR} role`);
  if (result.kind === 'exists') return new ConflictException('A base rate from that day is already recorded');
  return new BadRequestException(result.reason === 'date' ? 'validFrom is not a calendar day' : 'rate is out of range');
}

/** The clerk's customer look-up and the central bank base-rate history, as JSON. */
@ApiTags('back office: customers')
@Controller('api/v1/backoffice')
@UseGuards(BackofficeGuard)
export class BackofficeCustomersController {
  constructor(
    private readonly lookup: CustomerLookup,
    private readonly baseRates: BaseRates,
  ) {}

  @Get('customers')
  @ApiEndpoint({
    operationId: 'searchCustomers',
    summary: `Up to 20 customers of your company whose code, name, e-mail, address or invoice number starts with q (at least ${MIN_SEARCH_LENGTH} characters, or none found)`,
    access: 'clerk',
    errors: { 400: 'q is longer than 100 characters' },
  })
  @ApiOkResponse({ type: CustomerHitListResponse })
  async search(@Clerk() clerk: ClerkIdentity, @Query() query: CustomerSearchDto): Promise<CustomerHitListResponse> {
    return { items: await this.lookup.search(clerk.companyId, query.q ?? '') };
  }

  @Get('customers/:id')
  @ApiEndpoint({
    operationId: 'getBackofficeCustomer',
    summary: 'One customer with service points and meters, invoices, debts and open requests; the view is recorded in the audit trail',
    access: 'clerk',
    errors: { 400: 'The id is not an integer', 404: 'Not a customer of your company' },
  })
  @ApiOkResponse({ type: CustomerDetailResponse })
  async customer(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: PageRequest,
  ): Promise<CustomerDetailResponse> {
    const detail = await this.lookup.detail(clerk, id, req.ip ?? null);
    if (!detail) throw new NotFoundException('No such customer in your company');
    return detail;
  }

  @Get('base-rates')
  @ApiEndpoint({ operationId: 'listBaseRates', summary: 'The central bank base-rate history, newest first', access: 'clerk' })
  @ApiOkResponse({ type: BaseRateListResponse })
  async rates(): Promise<BaseRateListResponse> {
    return { items: await this.baseRates.list() };
  }

  @Post('base-rates')
  @WriteLimited()
  @MinRole(BASE_RATE_EDITOR)
  @ApiEndpoint({
    operationId: 'addBaseRate',
    summary: `Records a new central bank base rate from a day on (${BASE_RATE_EDITOR})`,
    access: 'clerk',
    errors: { 400: 'Invalid date or rate', 409: 'A rate from that day is already recorded' },
  })
  @ApiCreatedResponse({ type: AddedBaseRateResponse })
  async addRate(@Clerk() clerk: ClerkIdentity, @Body() body: AddBaseRateDto, @Req() req: PageRequest): Promise<AddedBaseRateResponse> {
    const result = await this.baseRates.add(clerk, body, req.ip ?? null);
    if (result.kind !== 'added') throw baseRateError(result);
    return { validFrom: result.validFrom, rate: result.rate };
  }
}
