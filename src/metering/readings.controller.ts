import { Body, Controller, Get, HttpCode, HttpException, NotFoundException, Param, ParseIntPipe, Post, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { ApiEndpoint } from '../core/api-contract';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { MeterQueries } from './meter-queries.service';
import { MeterListResponse, ReadingCheckResponse, ReadingHistoryResponse, SubmittedReadingResponse } from './reading-responses.dto';
import { ReadingError, ReadingService } from './reading.service';

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

/** A refused reading as an HTTP answer: unknown meter 404, the rest 409 (state) or 400 (input), with the code. */
export function readingHttpError(error: ReadingError): HttpException {
  const status = error.code === 'meter_not_found' ? 404 : error.code === 'already_reported' || error.code === 'window_closed' ? 409 : 400;
  return new HttpException({ statusCode: status, ...error, message: error.message }, status);
}

/** The customer's meter readings as JSON (bearer token or session cookie with the CSRF header). */
@ApiTags('meter readings')
@Controller('api/v1')
@UseGuards(CustomerGuard)
export class ReadingsController {
  constructor(
    private readonly queries: MeterQueries,
    private readonly readings: ReadingService,
  ) {}

  @Get('meters')
  @ApiEndpoint({
    operationId: 'listMeters',
    summary: 'Your meters with the reading window and the last billable reading',
    access: 'customer',
  })
  @ApiOkResponse({ type: MeterListResponse })
  async meters(@CurrentCustomer() customer: CustomerRef): Promise<MeterListResponse> {
    return { items: await this.queries.meters(customer.companyId, customer.customerId) };
  }

  @Get('meters/:id/readings')
  @ApiEndpoint({
    operationId: 'listMeterReadings',
    summary: 'A meter’s billable readings, newest first, with consumption',
    access: 'customer',
    errors: { 400: 'The id is not an integer', 404: 'Not one of your meters' },
  })
  @ApiOkResponse({ type: ReadingHistoryResponse })
  async history(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number): Promise<ReadingHistoryResponse> {
    const meter = await this.queries.meter(customer.companyId, customer.customerId, id);
    if (!meter) throw new NotFoundException('No such meter among your service points');
    return {
      meter: { id: meter.id, serialNumber: meter.serialNumber, unit: meter.unit },
      items: await this.queries.history(customer.companyId, customer.customerId, id),
    };
  }

  @Post('readings/check')
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'checkReading',
    summary: 'The consumption a reading implies and its plausibility hints; nothing is stored',
    access: 'customer',
    errors: {
      400: 'Invalid value or date, or below the last reading',
      404: 'Not one of your meters',
      409: 'Outside the reading window, or a reading of this period is already in review',
    },
  })
  @ApiOkResponse({ type: ReadingCheckResponse })
  async check(@CurrentCustomer() customer: CustomerRef, @Body() body: ReadingDto): Promise<ReadingCheckResponse> {
    const result = await this.readings.check(customer.companyId, customer.customerId, body);
    if (!result.ok) throw readingHttpError(result.error);
    return result.value;
  }

  @Post('readings')
  @ApiEndpoint({
    operationId: 'submitReading',
    summary: 'Reports a meter reading; it becomes a request a clerk reviews',
    access: 'customer',
    errors: {
      400: 'Invalid value or date, or below the last reading',
      404: 'Not one of your meters',
      409: 'Outside the reading window, or a reading of this period is already in review',
    },
  })
  @ApiCreatedResponse({ type: SubmittedReadingResponse, description: 'The reading became a request' })
  async submit(@CurrentCustomer() customer: CustomerRef, @Body() body: ReadingDto): Promise<SubmittedReadingResponse> {
    const result = await this.readings.submit(customer.companyId, customer.customerId, body);
    if (!result.ok) throw readingHttpError(result.error);
    return { ...result.value, state: 'submitted' };
  }
}
