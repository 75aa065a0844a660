import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsInt, Min } from 'class-validator';
import { PageReply } from '../web/http';
import { ApiEndpoint } from '../core/api-contract';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { WriteLimited } from '../identity/write-limit.guard';
import { pageLanguage } from '../web/page-text';
import { CustomerRequestsService } from './customer-requests.service';
import { CustomerRequestResponse, TransitionResponse } from './request-responses.dto';
import { workflowHttpError } from './workflow-http-errors';

export class WithdrawDto {
  @ApiProperty({ example: 1, description: 'The version of the request you saw' })
  @IsInt({ message: 'expectedVersion must be an integer' })
  @Min(1)
  expectedVersion!: number;
}

/** The customer's requests of every kind as JSON: one with its timeline, and withdrawal. */
@ApiTags('requests')
@Controller('api/v1/requests')
@UseGuards(CustomerGuard)
export class CustomerRequestsController {
  constructor(private readonly requests: CustomerRequestsService) {}

  @Get(':id')
  @ApiEndpoint({
    operationId: 'getRequest',
    summary: 'One of your requests of any kind: state, summary, details, answerBy (while open) and its timeline',
    access: 'customer',
    errors: { 400: 'The id is not an integer', 404: 'Not one of your requests' },
  })
  @ApiOkResponse({ type: CustomerRequestResponse })
  async get(
    @CurrentCustomer() customer: CustomerRef,
    @Param('id', ParseIntPipe) id: number,
    @Res({ passthrough: true }) res: PageReply,
  ): Promise<CustomerRequestResponse> {
    const request = await this.requests.get(customer.companyId, customer.customerId, id, pageLanguage(res));
    if (!request) throw new NotFoundException('No such request');
    return request;
  }

  @Post(':id/withdraw')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'withdrawRequest',
    summary: 'Takes back one of your requests nobody has started on',
    access: 'customer',
    errors: {
      400: 'The id or expectedVersion is not an integer',
      404: 'Not one of your requests',
      409: 'The request no longer accepts a withdrawal, or it changed meanwhile (version_conflict)',
    },
  })
  @ApiOkResponse({ type: TransitionResponse, description: 'Withdrawn' })
  async withdraw(
    @CurrentCustomer() customer: CustomerRef,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: WithdrawDto,
  ): Promise<TransitionResponse> {
    const result = await this.requests.withdraw(customer.companyId, customer.customerId, id, body.expectedVersion);
    if (!result.ok) throw workflowHttpError(result.error);
    return result.value;
  }
}
