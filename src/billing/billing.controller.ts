import { BadRequestException, Controller, Get, NotFoundException, Param, ParseIntPipe, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiPropertyOptional, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { Response } from 'express';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { isLanguage } from '../web/i18n';
import { BillingQueries, InvalidCursorError, MAX_PAGE_SIZE } from './billing-queries.service';
import { sendInvoicePdf } from './billing-http';
import { CustomerHome } from './customer-home.service';

export class InvoiceQueryDto {
  @ApiPropertyOptional({ example: 2014, description: 'Only invoices billing a month of this year' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'year must be a whole number' })
  @Min(1990)
  @Max(2100)
  year?: number;

  @ApiPropertyOptional({ example: 7, description: 'Only invoices of this service point of yours' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'servicePointId must be a whole number' })
  @Min(1)
  servicePointId?: number;

  @ApiPropertyOptional({ example: '2014-10-31_1234', description: 'The nextCursor of the previous page' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}_[1-9]\d{0,15}$/, { message: 'before must be a nextCursor of this list' })
  before?: string;

  @ApiPropertyOptional({ example: 20, description: `Page size, 1–${MAX_PAGE_SIZE} (default 20)` })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;
}

/** The customer's invoices, debts and home summary as JSON (bearer token or session cookie). */
@ApiTags('invoices and debts')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'Not logged in as a customer' })
@Controller('api/v1')
@UseGuards(CustomerGuard)
export class BillingController {
  constructor(
    private readonly billing: BillingQueries,
    private readonly home: CustomerHome,
  ) {}

  @Get('home')
  @ApiResponse({
    status: 200,
    description:
      'Open balance, next due date (overdue flag), newest invoice, meters with an open reading window, unread messages, open requests',
  })
  summary(@CurrentCustomer() customer: CustomerRef) {
    return this.home.summary(customer.companyId, customer.customerId);
  }

  @Get('invoices')
  @ApiResponse({ status: 200, description: 'One page of your invoices, newest due date first: { items, nextCursor }; status is derived' })
  @ApiResponse({ status: 400, description: 'A filter or cursor is not valid' })
  async invoices(@CurrentCustomer() customer: CustomerRef, @Query() query: InvoiceQueryDto) {
    try {
      return await this.billing.invoices(customer.companyId, customer.customerId, query);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new BadRequestException('before must be a nextCursor of this list');
      throw error;
    }
  }

  @Get('invoices/:id')
  @ApiResponse({
    status: 200,
    description: 'The invoice with service point, line items, VAT summary, consumption and payments allocated to it',
  })
  @ApiResponse({ status: 404, description: 'Not one of your invoices' })
  async invoice(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number) {
    const invoice = await this.billing.invoice(customer.companyId, customer.customerId, id);
    if (!invoice) throw new NotFoundException('No such invoice among yours');
    return invoice;
  }

  @Get('invoices/:id/pdf')
  @ApiProduces('application/pdf')
  @ApiResponse({ status: 200, description: 'The invoice as a tagged (accessible) PDF, with a Hungarian file name' })
  @ApiResponse({ status: 404, description: 'Not one of your invoices' })
  async pdf(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number, @Res() res: Response): Promise<void> {
    const invoice = await this.billing.invoice(customer.companyId, customer.customerId, id);
    if (!invoice) throw new NotFoundException('No such invoice among yours');
    const lang: unknown = res.locals.lang;
    await sendInvoicePdf(res, invoice, isLanguage(lang) ? lang : 'hu');
  }

  @Get('debts')
  @ApiResponse({
    status: 200,
    description:
      'Open debt items first, then the newest paid ones; interest items with their computation; openTotal, accruedInterest and settlesToday',
  })
  async debts(@CurrentCustomer() customer: CustomerRef) {
    const view = await this.billing.debts(customer.companyId, customer.customerId);
    if (!view) throw new NotFoundException('No such customer');
    return view;
  }
}
