import { Body, Controller, Get, HttpException, NotFoundException, Param, ParseIntPipe, Post, Query, UseGuards } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiPropertyOptional, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, Min } from 'class-validator';
import { ApiEndpoint } from '../core/api-contract';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { MAX_ITEMS_PER_PAYMENT, PaymentStartService, StartError } from './payment-start.service';
import { PaymentQueries, PaymentView } from './payment-queries.service';
import { CustomerPaymentListResponse, CustomerPaymentResponse, StartedPaymentResponse } from './payment-responses.dto';

export class StartPaymentDto {
  @ApiPropertyOptional({
    type: [Number],
    example: [41, 42],
    description: 'Your open debt items to pay (GET /api/v1/debts); all open items when omitted',
  })
  @IsOptional()
  @IsArray({ message: 'debtItemIds must be an array of ids' })
  @ArrayMaxSize(MAX_ITEMS_PER_PAYMENT)
  @IsInt({ each: true, message: 'debtItemIds must be whole numbers' })
  @Min(1, { each: true })
  debtItemIds?: number[];

  @ApiPropertyOptional({ enum: ['hu', 'en'], description: "The bank's card page language (default hu)" })
  @IsOptional()
  @IsIn(['hu', 'en'])
  language?: 'hu' | 'en';
}

/** A refused start as an HTTP answer. */
export function startHttpError(error: StartError): HttpException {
  const status = {
    not_available: 409,
    item_not_found: 404,
    nothing_to_pay: 409,
    too_many_items: 400,
    rate_limited: 429,
    gateway_unavailable: 502,
  }[error.code];
  return new HttpException({ statusCode: status, ...error }, status);
}

/** A payment as the customer's API shows it (no order reference, no clerk flags). */
export function customerPaymentJson(p: PaymentView): CustomerPaymentResponse {
  return {
    id: p.id,
    state: p.status,
    amount: p.amount,
    currency: p.currency,
    bankReference: p.bankReference,
    createdAt: p.createdAt,
    confirmedAt: p.confirmedAt,
    debtItemIds: p.debtItemIds,
    allocations: p.allocations.map((a) => ({ debtItemId: a.debtItemId, reference: a.reference, amount: a.amount })),
  };
}

/** The customer's card payments as JSON (bearer token or session cookie with the CSRF header). */
@ApiTags('payments')
@Controller('api/v1/payments')
@UseGuards(CustomerGuard)
export class PaymentsController {
  constructor(
    private readonly starter: PaymentStartService,
    private readonly queries: PaymentQueries,
  ) {}

  @Post()
  @ApiEndpoint({
    operationId: 'startPayment',
    summary: "Starts a card payment of your open debt items; the answer names the bank's card page",
    access: 'customer',
    errors: {
      400: 'Invalid ids or language, or too many items',
      404: 'A debt item is not an open item of yours (debtItemIds names them)',
      409: 'Nothing to pay, or card payment is not available for the company',
      429: 'Too many payments started (retryAfterSeconds)',
      502: 'The bank could not start the payment (paymentId names the failed one)',
    },
  })
  @ApiCreatedResponse({ type: StartedPaymentResponse, description: "Started: send the browser to redirectUrl (the bank's card page)" })
  async start(@CurrentCustomer() customer: CustomerRef, @Body() body: StartPaymentDto): Promise<StartedPaymentResponse> {
    const result = await this.starter.start(customer, body.debtItemIds ?? [], body.language ?? 'hu');
    if (!result.ok) throw startHttpError(result.error);
    return { id: result.value.paymentId, state: 'started', amount: result.value.amount, redirectUrl: result.value.redirectUrl };
  }

  @Get()
  @ApiEndpoint({ operationId: 'listPayments', summary: 'Your card payments, newest first, with their allocations', access: 'customer' })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 200, default: 50 } })
  @ApiOkResponse({ type: CustomerPaymentListResponse })
  async list(@CurrentCustomer() customer: CustomerRef, @Query('limit') limit?: string): Promise<CustomerPaymentListResponse> {
    const size = Math.min(Math.max(Number(limit) || 50, 1), 200);
    return { items: (await this.queries.forCustomer(customer.companyId, customer.customerId, size)).map(customerPaymentJson) };
  }

  @Get(':id')
  @ApiEndpoint({
    operationId: 'getPayment',
    summary: 'One of your card payments with its state and allocations',
    access: 'customer',
    errors: { 400: 'The id is not an integer', 404: 'Not one of your payments' },
  })
  @ApiOkResponse({ type: CustomerPaymentResponse })
  async one(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number): Promise<CustomerPaymentResponse> {
    const payment = await this.queries.payment(customer.companyId, id, customer.customerId);
    if (!payment) throw new NotFoundException('No such payment');
    return customerPaymentJson(payment);
  }
}
