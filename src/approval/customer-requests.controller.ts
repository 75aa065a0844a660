import { Body, Controller, Get, HttpCode, NotFoundException, Param, ParseIntPipe, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsInt, Min } from 'class-validator';
import { Response } from 'express';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { responseLanguage } from '../web/i18n';
import { CustomerRequestsService } from './customer-requests.service';
import { workflowHttpError } from './workflow-http-errors';

export class WithdrawDto {
  @ApiProperty({ example: 1, description: 'The version of the request you saw' })
  @IsInt({ message: 'expectedVersion must be an integer' })
  @Min(1)
  expectedVersion!: number;
}

/** The customer's requests of every kind as JSON: one with its timeline, and withdrawal. */
@ApiTags('requests')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Not logged in as a customer' })
@Controller('api/v1/requests')
@UseGuards(CustomerGuard)
export class CustomerRequestsController {
  constructor(private readonly requests: CustomerRequestsService) {}

  @Get(':id')
  @ApiResponse({ status: 200, description: 'Your request: kind, state, summary, details, answerBy (while open) and its timeline' })
  @ApiResponse({ status: 404, description: 'Not one of your requests' })
  async get(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number, @Res({ passthrough: true }) res: Response) {
    const request = await this.requests.get(customer.companyId, customer.customerId, id, responseLanguage(res));
    if (!request) throw new NotFoundException('No such request');
    return request;
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiResponse({ status: 200, description: 'Withdrawn: { requestId, from, to, version }' })
  @ApiResponse({ status: 404, description: 'Not one of your requests' })
  @ApiResponse({ status: 409, description: 'The request no longer accepts a withdrawal, or it changed meanwhile' })
  async withdraw(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number, @Body() body: WithdrawDto) {
    const result = await this.requests.withdraw(customer.companyId, customer.customerId, id, body.expectedVersion);
    if (!result.ok) throw workflowHttpError(result.error);
    return result.value;
  }
}
