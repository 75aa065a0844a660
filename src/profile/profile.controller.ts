import { Body, Controller, Get, HttpException, NotFoundException, Param, ParseIntPipe, Post, Req, Res, UseGuards } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageReply, PageRequest } from '../web/http';
import { CustomerRequestsService } from '../approval/customer-requests.service';
import { ApiEndpoint, COOKIE_WITHOUT_CSRF } from '../core/api-contract';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { PAYMENT_METHODS } from '../identity/customer.entity';
import { WriteLimited } from '../identity/write-limit.guard';
import { ServicePoints } from '../metering/service-points.service';
import { pageLanguage } from '../web/page-text';
import { DATA_CHANGE_KIND, dataChangeSubject } from './data-change.kind';
import { DataChangeError, DataChangeService } from './data-change.service';
import { E_INVOICE_KIND, eInvoiceSubject } from './e-invoice.kind';
import { EInvoiceError, EInvoiceService } from './e-invoice.service';
import {
  ConfirmationSentResponse,
  ProfileResponse,
  ServicePointListResponse,
  SubmittedChangeResponse,
  SubmittedDataChangeResponse,
} from './profile-responses.dto';

export class DataChangeDto {
  @ApiPropertyOptional({ example: 'uj.cim@example.hu' })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @ApiPropertyOptional({ example: '+36 30 123 4567', description: 'A Hungarian number; empty to remove it' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  phone?: string;

  @ApiPropertyOptional({ example: '6720' })
  @IsOptional()
  @IsString()
  @MaxLength(10)
  postcode?: string;

  @ApiPropertyOptional({ example: 'Szeged' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  town?: string;

  @ApiPropertyOptional({ example: 'Kárász utca 1.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  address?: string;

  @ApiPropertyOptional({ enum: PAYMENT_METHODS })
  @IsOptional()
  @IsIn(PAYMENT_METHODS, { message: `paymentMethod must be one of ${PAYMENT_METHODS.join(', ')}` })
  paymentMethod?: string;

  @ApiPropertyOptional({ description: 'The billing name, where the company allows changing it online' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

export class EmailConfirmationDto {
  @ApiProperty({ description: 'The token of the link e-mailed to the new address' })
  @IsString()
  @MaxLength(100)
  token!: string;
}

export class EInvoiceDto {
  @ApiProperty({ description: 'true: invoices by e-mail (e-számla); false: back to paper' })
  @IsBoolean({ message: 'optIn must be a boolean' })
  optIn!: boolean;

  @ApiPropertyOptional({ description: 'The customer agrees to the consent text (required to opt in)' })
  @IsOptional()
  @IsBoolean({ message: 'consent must be a boolean' })
  consent?: boolean;
}

function dataChangeHttpError(error: DataChangeError): HttpException {
  const status =
    error.code === 'customer_not_found'
      ? 404
      : error.code === 'throttled'
        ? 429
        : error.code === 'already_in_review' || error.code === 'email_taken'
          ? 409
          : 400;
  return new HttpException({ statusCode: status, ...error }, status);
}

function eInvoiceHttpError(error: EInvoiceError): HttpException {
  const status = error.code === 'service_point_not_found' ? 404 : error.code === 'already_in_review' ? 409 : 400;
  return new HttpException({ statusCode: status, ...error }, status);
}

/** Ügyféladatok as JSON: the customer's data and rules, data changes, e-mail confirmation, e-invoice per service point. */
@ApiTags('customer details')
@Controller('api/v1')
export class ProfileController {
  constructor(
    private readonly dataChanges: DataChangeService,
    private readonly eInvoices: EInvoiceService,
    private readonly requests: CustomerRequestsService,
    private readonly servicePoints: ServicePoints,
  ) {}

  @Get('profile')
  @UseGuards(CustomerGuard)
  @ApiEndpoint({
    operationId: 'getProfile',
    summary:
      'Your data, the fields you may change online, the payment methods, the latest data change and the e-mail waiting for confirmation',
    access: 'customer',
    errors: { 404: 'Your customer record is gone' },
  })
  @ApiOkResponse({ type: ProfileResponse })
  async profile(@CurrentCustomer() customer: CustomerRef, @Res({ passthrough: true }) res: PageReply): Promise<ProfileResponse> {
    const overview = await this.dataChanges.overview(customer.companyId, customer.customerId);
    if (!overview) throw new NotFoundException('No such customer');
    const subject = dataChangeSubject(customer.customerId).subjectRef;
    const latest = await this.requests.latestBySubject(
      customer.companyId,
      customer.customerId,
      DATA_CHANGE_KIND,
      [subject],
      pageLanguage(res),
      1,
    );
    return {
      data: overview.data,
      editableFields: overview.rules.editableFields,
      paymentMethods: overview.rules.paymentMethods,
      pendingEmail: overview.pendingEmail,
      latestChange: latest.get(subject)?.[0] ?? null,
    };
  }

  @Post('profile/data-changes')
  @WriteLimited()
  @UseGuards(CustomerGuard)
  @ApiEndpoint({
    operationId: 'submitDataChange',
    summary: 'Changes your data: a request a clerk reviews; a new e-mail address first gets a confirmation link',
    access: 'customer',
    errors: {
      400: 'Invalid fields (code invalid, with errors per field) or nothing changed',
      404: 'Your customer record is gone',
      409: 'An earlier change is in review (already_in_review), or the e-mail address is taken (email_taken)',
      429: 'Too many e-mail changes (retryAfterSeconds)',
    },
  })
  @ApiExtraModels(SubmittedDataChangeResponse, ConfirmationSentResponse)
  @ApiCreatedResponse({
    description: 'The change became a request, or (a new e-mail address) the confirmation link was sent',
    schema: { oneOf: [{ $ref: getSchemaPath(SubmittedDataChangeResponse) }, { $ref: getSchemaPath(ConfirmationSentResponse) }] },
  })
  async submit(
    @CurrentCustomer() customer: CustomerRef,
    @Body() body: DataChangeDto,
    @Req() req: PageRequest,
    @Res({ passthrough: true }) res: PageReply,
  ): Promise<SubmittedDataChangeResponse | ConfirmationSentResponse> {
    const result = await this.dataChanges.submit(customer.companyId, customer.customerId, body, {
      language: pageLanguage(res),
      ip: req.ip ?? null,
    });
    if (!result.ok) throw dataChangeHttpError(result.error);
    return result.value;
  }

  @Post('profile/email-confirmations')
  @WriteLimited({ anonymous: 'people' })
  @ApiEndpoint({
    operationId: 'confirmEmailChange',
    summary: 'Confirms a new e-mail address with the token of the e-mailed link; the data change becomes a request',
    description: 'Whoever holds the link may confirm: it went to the address being proved.',
    access: 'public',
    errors: {
      400: 'The link is invalid, used or expired (invalid_link)',
      403: COOKIE_WITHOUT_CSRF,
      409: 'An earlier change is in review (the link keeps working), or the e-mail address is taken meanwhile',
    },
  })
  @ApiCreatedResponse({ type: SubmittedDataChangeResponse, description: 'Confirmed: the data change is a request now' })
  async confirm(@Body() body: EmailConfirmationDto): Promise<SubmittedDataChangeResponse | ConfirmationSentResponse> {
    const result = await this.dataChanges.confirmEmail(body.token);
    if (!result.ok) throw dataChangeHttpError(result.error);
    const { companyId: _companyId, customerId: _customerId, ...outcome } = result.value;
    return outcome;
  }

  @Get('service-points')
  @UseGuards(CustomerGuard)
  @ApiEndpoint({
    operationId: 'listServicePoints',
    summary: 'Your service points with their e-invoice setting and latest e-invoice request',
    access: 'customer',
  })
  @ApiOkResponse({ type: ServicePointListResponse })
  async list(@CurrentCustomer() customer: CustomerRef, @Res({ passthrough: true }) res: PageReply): Promise<ServicePointListResponse> {
    const points = await this.servicePoints.list(customer.companyId, customer.customerId);
    const latest = await this.requests.latestBySubject(
      customer.companyId,
      customer.customerId,
      E_INVOICE_KIND,
      points.map((point) => eInvoiceSubject(point.id).subjectRef),
      pageLanguage(res),
      1,
    );
    return { items: points.map((point) => ({ ...point, eInvoiceRequest: latest.get(eInvoiceSubject(point.id).subjectRef)?.[0] ?? null })) };
  }

  @Post('service-points/:id/e-invoice')
  @WriteLimited()
  @UseGuards(CustomerGuard)
  @ApiEndpoint({
    operationId: 'requestEInvoice',
    summary: 'Switches a service point’s invoices to e-mail (e-számla, with consent) or back to paper: a request a clerk reviews',
    access: 'customer',
    errors: {
      400: 'Invalid input, consent missing (consent_required), or nothing to change (no_change)',
      404: 'Not one of your service points',
      409: 'An earlier e-invoice request of the service point is in review',
    },
  })
  @ApiCreatedResponse({ type: SubmittedChangeResponse, description: 'The switch became a request' })
  async eInvoice(
    @CurrentCustomer() customer: CustomerRef,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: EInvoiceDto,
    @Res({ passthrough: true }) res: PageReply,
  ): Promise<SubmittedChangeResponse> {
    const result = await this.eInvoices.request(customer.companyId, customer.customerId, {
      servicePointId: id,
      optIn: body.optIn,
      consent: body.consent === true,
      language: pageLanguage(res),
    });
    if (!result.ok) throw eInvoiceHttpError(result.error);
    return result.value;
  }
}
