import { Body, Controller, Get, HttpCode, HttpException, NotFoundException, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { workflowHttpError } from '../approval/workflow-http-errors';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { MeterQueries } from './meter-queries.service';
import { ReadingError, ReadingService } from './reading.service';
import { WriteLimited } from '../identity/write-limit.guard';

const toBoolean = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' || value === 'on' ? true : value === 'false' || value === '0' ? false : value;

export class ReadingDto {
  @ApiProperty({ example: 12, description: 'One of your meters (GET /api/v1/meters)' })
  @IsInt({ message: 'meterId must be an integer' })
  @Min(1)
  meterId!: number;

  @ApiProperty({ example: '1234,5', description: "The meter's reading; a decimal comma or point, with at most the meter's decimals" })
  @IsString({ message: 'value must be a string' })
  @MaxLength(30)
  value!: string;

  @ApiPropertyOptional({ example: '2026-11-27', description: 'The day the meter was read (default: today)' })
  @IsOptional()
  @Matches(/^\d{4}-\d\d-\d\d$/, { message: 'readOn must be a date (YYYY-MM-DD)' })
  readOn?: string;

  @ApiPropertyOptional({ description: 'The meter was replaced or rolled over: the value may be below the last one' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'replacement must be a boolean' })
  replacement?: boolean;
}

export class WithdrawDto {
  @ApiProperty({ example: 1, description: 'The version of the request you saw' })
  @IsInt({ message: 'expectedVersion must be an integer' })
  @Min(1)
  expectedVersion!: number;
}

/** A refused reading as an HTTP answer: unknown meter 404, the rest 409 (state) or 400 (input), with the code. */
export function readingHttpError(error: ReadingError): HttpException {
  const status = error.code === 'meter_not_found' ? 404 : error.code === 'already_reported' || error.code === 'window_closed' ? 409 : 400;
  return new HttpException({ statusCode: status, ...error, message: error.message }, status);
}

/** The customer's meter readings as JSON (bearer token or session cookie with the CSRF header). */
@ApiTags('meter readings')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Not logged in as a customer' })
@Controller('api/v1')
@UseGuards(CustomerGuard)
export class ReadingsController {
  constructor(
    private readonly queries: MeterQueries,
    private readonly readings: ReadingService,
    private readonly engine: WorkflowEngine,
  ) {}

  @Get('meters')
  @ApiResponse({ status: 200, description: 'Your meters with the reading window and the last billable reading' })
  async meters(@CurrentCustomer() customer: CustomerRef) {
    return { items: await this.queries.meters(customer.companyId, customer.customerId) };
  }

  @Get('meters/:id/readings')
  @ApiResponse({ status: 200, description: 'Billable readings, newest first, with consumption' })
  @ApiResponse({ status: 404, description: 'Not one of your meters' })
  async history(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number) {
    const meter = await this.queries.meter(customer.companyId, customer.customerId, id);
    if (!meter) throw new NotFoundException('No such meter among your service points');
    return {
      meter: { id: meter.id, serialNumber: meter.serialNumber, unit: meter.unit },
      items: await this.queries.history(customer.companyId, customer.customerId, id),
    };
  }

  @Post('readings/check')
  @WriteLimited()
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'The consumption the value implies and the plausibility hints; nothing is stored' })
  @ApiResponse({ status: 400, description: 'Invalid value or date' })
  @ApiResponse({ status: 404, description: 'Not one of your meters' })
  @ApiResponse({ status: 409, description: 'Outside the reading window' })
  async check(@CurrentCustomer() customer: CustomerRef, @Body() body: ReadingDto) {
    const result = await this.readings.check(customer.customerId, customer.companyId, body);
    if (!result.ok) throw readingHttpError(result.error);
    return result.value;
  }

  @Post('readings')
  @WriteLimited()
  @ApiResponse({ status: 201, description: 'The reading became a request: { requestId, state, version, … }' })
  @ApiResponse({ status: 400, description: 'Invalid value or date, or below the last reading' })
  @ApiResponse({ status: 404, description: 'Not one of your meters' })
  @ApiResponse({ status: 409, description: 'Outside the reading window, or a reading of this period is already in review' })
  async submit(@CurrentCustomer() customer: CustomerRef, @Body() body: ReadingDto) {
    const result = await this.readings.submit(customer.customerId, customer.companyId, body);
    if (!result.ok) throw readingHttpError(result.error);
    return { ...result.value, state: 'submitted' };
  }

  @Get('requests/:id')
  @ApiResponse({ status: 200, description: 'Your request with its timeline' })
  @ApiResponse({ status: 404, description: 'Not one of your requests' })
  async request(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number) {
    const request = await this.queries.request(customer.companyId, customer.customerId, id);
    if (!request) throw new NotFoundException('No such request');
    return request;
  }

  @Post('requests/:id/withdraw')
  @WriteLimited()
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'Withdrawn: { requestId, from, to, version }' })
  @ApiResponse({ status: 404, description: 'Not one of your requests' })
  @ApiResponse({ status: 409, description: 'The request no longer accepts a withdrawal, or it changed meanwhile' })
  async withdraw(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number, @Body() body: WithdrawDto) {
    const result = await this.engine.send(undefined, {
      companyId: customer.companyId,
      requestId: id,
      event: 'WITHDRAW',
      actor: { kind: 'customer', id: customer.customerId },
      expectedVersion: body.expectedVersion,
    });
    if (!result.ok) throw workflowHttpError(result.error);
    return result.value;
  }
}
