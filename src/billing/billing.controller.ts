import { BadRequestException, Controller, Get, NotFoundException, Param, ParseIntPipe, Query, Res, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { PageReply } from '../web/http';
import { ApiEndpoint } from '../core/api-contract';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { isLanguage } from '../web/i18n';
import { BillingQueries, InvalidCursorError, MAX_PAGE_SIZE } from './billing-queries.service';
import { sendInvoicePdf } from './billing-http';
import { DebtsResponse, HomeSummaryResponse, InvoiceDetailResponse, InvoicePageResponse } from './billing-responses.dto';
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
@Controller('api/v1')
@UseGuards(CustomerGuard)
export class BillingController {
  constructor(
    private readonly billing: BillingQueries,
    private readonly home: CustomerHome,
  ) {}

  @Get('home')
  @ApiEndpoint({
    operationId: 'getHomeSummary',
    summary:
      'Open balance, next due date (overdue flag), newest invoice, meters with an open reading window, unread messages, open requests',
    access: 'customer',
  })
  @ApiOkResponse({ type: HomeSummaryResponse })
  summary(@CurrentCustomer() customer: CustomerRef): Promise<HomeSummaryResponse> {
    return this.home.summary(customer.companyId, customer.customerId);
  }

  @Get('invoices')
  @ApiEndpoint({
    operationId: 'listInvoices',
    summary: 'One page of your invoices, newest due date first; the status is derived',
    access: 'customer',
    errors: { 400: 'A filter or cursor is not valid' },
  })
  @ApiOkResponse({ type: InvoicePageResponse })
  async invoices(@CurrentCustomer() customer: CustomerRef, @Query() query: InvoiceQueryDto): Promise<InvoicePageResponse> {
    try {
      return await this.billing.invoices(customer.companyId, customer.customerId, query);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new BadRequestException('before must be a nextCursor of this list');
      throw error;
    }
  }

  @Get('invoices/:id')
  @ApiEndpoint({
    operationId: 'getInvoice',
    summary: 'One invoice with service point, line items, VAT summary, consumption and payments allocated to it',
    access: 'customer',
    errors: { 400: 'The id is not an integer', 404: 'Not one of your invoices' },
  })
  @ApiOkResponse({ type: InvoiceDetailResponse })
  async invoice(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number): Promise<InvoiceDetailResponse> {
    const invoice = await this.billing.invoice(customer.companyId, customer.customerId, id);
    if (!invoice) throw new NotFoundException('No such invoice among yours');
    return invoice;
  }

  @Get('invoices/:id/pdf')
  @ApiEndpoint({
    operationId: 'getInvoicePdf',
    summary: 'One invoice as a tagged (accessible) PDF, with a Hungarian file name',
    access: 'customer',
    errors: { 400: 'The id is not an integer', 404: 'Not one of your invoices' },
  })
  @ApiProduces('application/pdf')
  @ApiOkResponse({
    description: 'The PDF (Content-Disposition: attachment)',
    content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
  })
  async pdf(@CurrentCustomer() customer: CustomerRef, @Param('id', ParseIntPipe) id: number, @Res() res: PageReply): Promise<void> {
    const invoice = await this.billing.invoice(customer.companyId, customer.customerId, id);
    if (!invoice) throw new NotFoundException('No such invoice among yours');
    const lang: unknown = res.locals.lang;
    await sendInvoicePdf(res, invoice, isLanguage(lang) ? lang : 'hu', await this.billing.storedPdf(customer.companyId, invoice.id));
  }

  @Get('debts')
  @ApiEndpoint({
    operationId: 'listDebts',
    summary: 'Open debt items first, then the newest paid ones; late interest with its computation; what settles everything today',
    access: 'customer',
    errors: { 404: 'Your customer record no longer exists' },
  })
  @ApiOkResponse({ type: DebtsResponse })
  async debts(@CurrentCustomer() customer: CustomerRef): Promise<DebtsResponse> {
    const view = await this.billing.debts(customer.companyId, customer.customerId);
    if (!view) throw new NotFoundException('No such customer');
    return view;
  }
}
