import { ApiProperty } from '@nestjs/swagger';
import { HistoryRowResponse, MeterResponse } from '../metering/reading-responses.dto';
import { INVOICE_STATUSES, InvoiceStatus } from './invoice-status';

/* The JSON answers of the billing API (invoices, debts, the home summary, the clerk's customer look-up, base rates), as OpenAPI schemas. */

const STATUS_DESCRIPTION = 'Derived from the due date and the open amount as of today (Hungarian calendar day)';

export class InvoiceSummaryResponse {
  @ApiProperty({ example: 1234 }) id!: number;
  @ApiProperty({ example: 'SZ-2014/000123' }) invoiceNumber!: string;
  @ApiProperty({ example: 'water', description: 'What the invoice bills (district heating, water, gas…)' }) type!: string;
  @ApiProperty({ format: 'date', example: '2014-10-01', description: 'The billed month, as its first day' }) period!: string;
  @ApiProperty({ format: 'date', example: '2014-10-31' }) issuedOn!: string;
  @ApiProperty({ format: 'date', example: '2014-11-15' }) dueOn!: string;
  @ApiProperty({ example: 12700, description: 'Forints' }) grossTotal!: number;
  @ApiProperty({ example: 0, description: 'Forints still to pay' }) openAmount!: number;
  @ApiProperty({ type: Number, nullable: true, example: 7 }) servicePointId!: number | null;
  @ApiProperty({ enum: INVOICE_STATUSES, description: STATUS_DESCRIPTION }) status!: InvoiceStatus;
}

export class InvoicePageResponse {
  @ApiProperty({ type: [InvoiceSummaryResponse], description: 'Newest due date first' }) items!: InvoiceSummaryResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `before` for the next (older) page; null on the last page' })
  nextCursor!: string | null;
}

class InvoiceServicePointResponse {
  @ApiProperty({ example: 7 }) id!: number;
  @ApiProperty({ example: '1234' }) postcode!: string;
  @ApiProperty({ example: 'Mintaváros' }) town!: string;
  @ApiProperty({ example: 'Fő utca 1.' }) address!: string;
}

class InvoiceCustomerResponse {
  @ApiProperty({ example: 'SU0044' }) code!: string;
  @ApiProperty({ example: 'Minta Mária' }) name!: string;
  @ApiProperty({ example: '1234' }) postcode!: string;
  @ApiProperty({ example: 'Mintaváros' }) town!: string;
  @ApiProperty({ example: 'Fő utca 1.' }) address!: string;
  @ApiProperty({ example: 'transfer' }) paymentMethod!: string;
}

class InvoiceCompanyResponse {
  @ApiProperty({ example: 'Minta Közművek Zrt.' }) name!: string;
}

class VatAmountsResponse {
  @ApiProperty({ example: 10000 }) netAmount!: number;
  @ApiProperty({ example: 2700 }) vatAmount!: number;
  @ApiProperty({ example: 12700 }) grossAmount!: number;
}

class VatSummaryRowResponse extends VatAmountsResponse {
  @ApiProperty({ example: 27, description: 'Percent' }) vatRate!: number;
}

class InvoiceLineResponse extends VatSummaryRowResponse {
  @ApiProperty({ example: 1 }) lineNo!: number;
  @ApiProperty({ example: 'Vízdíj' }) description!: string;
  @ApiProperty({ example: 12.5 }) quantity!: number;
  @ApiProperty({ example: 'm3' }) unit!: string;
  @ApiProperty({ example: 800 }) unitPrice!: number;
}

class InvoicePaymentResponse {
  @ApiProperty({ example: 88 }) paymentId!: number;
  @ApiProperty() confirmedAt!: Date;
  @ApiProperty({ example: 12700, description: 'The share of the payment allocated to this invoice' }) amount!: number;
}

export class InvoiceDetailResponse extends InvoiceSummaryResponse {
  @ApiProperty({ type: Number, nullable: true, example: 12.5 }) consumption!: number | null;
  @ApiProperty({ type: String, nullable: true, example: 'm3' }) consumptionUnit!: string | null;
  @ApiProperty({ type: InvoiceServicePointResponse, nullable: true }) servicePoint!: InvoiceServicePointResponse | null;
  @ApiProperty({ type: InvoiceCustomerResponse }) customer!: InvoiceCustomerResponse;
  @ApiProperty({ type: InvoiceCompanyResponse }) company!: InvoiceCompanyResponse;
  @ApiProperty({ type: [InvoiceLineResponse] }) lines!: InvoiceLineResponse[];
  @ApiProperty({ type: [VatSummaryRowResponse] }) vatSummary!: VatSummaryRowResponse[];
  @ApiProperty({ type: VatAmountsResponse }) totals!: VatAmountsResponse;
  @ApiProperty({ type: [InvoicePaymentResponse] }) payments!: InvoicePaymentResponse[];
}

class InterestSegmentResponse {
  @ApiProperty({ format: 'date', description: 'First day of the delay inside one calendar half-year' }) from!: string;
  @ApiProperty({ format: 'date' }) to!: string;
  @ApiProperty({ example: 31 }) days!: number;
  @ApiProperty({ example: 6.5, description: 'The base rate valid on the half-year’s first day' }) baseRate!: number;
  @ApiProperty({ example: 6.5, description: 'The rate applied: the base rate, plus 8 points for a business' }) rate!: number;
  @ApiProperty({ example: 70, description: 'This half-year’s share, rounded to forints' }) amount!: number;
}

class InterestComputationResponse {
  @ApiProperty({ example: 12700 }) principal!: number;
  @ApiProperty({ format: 'date', description: 'The first day late (the day after the due date)' }) from!: string;
  @ApiProperty({ format: 'date', description: 'The last day counted' }) to!: string;
  @ApiProperty({ example: 31 }) days!: number;
  @ApiProperty({ type: [InterestSegmentResponse] }) segments!: InterestSegmentResponse[];
  @ApiProperty({ example: 70, description: 'Whole forints' }) amount!: number;
}

class DebtItemResponse {
  @ApiProperty({ example: 41 }) id!: number;
  @ApiProperty({ enum: ['invoice', 'interest', 'reminder_fee'] }) kind!: 'invoice' | 'interest' | 'reminder_fee';
  @ApiProperty({ example: 'SZ-2014/000123' }) reference!: string;
  @ApiProperty({ example: 'Vízdíj 2014/10' }) description!: string;
  @ApiProperty({ format: 'date' }) bookedOn!: string;
  @ApiProperty({ example: 12700 }) amount!: number;
  @ApiProperty({ example: 12700 }) openAmount!: number;
  @ApiProperty({ type: Number, nullable: true }) invoiceId!: number | null;
  @ApiProperty({ type: String, nullable: true }) invoiceNumber!: string | null;
  @ApiProperty({
    type: InterestComputationResponse,
    nullable: true,
    description: 'How an interest item is computed; null for other items or when the rule charges none',
  })
  interest!: InterestComputationResponse | null;
  @ApiProperty({
    type: InterestComputationResponse,
    nullable: true,
    description: 'For an open, overdue invoice debt: the interest run up since the due date (or the last interest booked) until today',
  })
  accruing!: InterestComputationResponse | null;
}

export class DebtsResponse {
  @ApiProperty({ format: 'date', description: 'The Hungarian calendar day the amounts are computed for' }) today!: string;
  @ApiProperty({ enum: ['civil_code', 'none'], description: 'The company’s late-interest rule' }) rule!: 'civil_code' | 'none';
  @ApiProperty({ enum: ['household', 'business'] }) debtor!: 'household' | 'business';
  @ApiProperty({ type: [DebtItemResponse], description: 'Open items first, then the newest paid ones' }) items!: DebtItemResponse[];
  @ApiProperty({ example: 12700 }) openTotal!: number;
  @ApiProperty({ example: 70, description: 'Interest run up until today on the open overdue invoices, not yet booked' })
  accruedInterest!: number;
  @ApiProperty({ example: 12770, description: 'What settles everything today: the open items plus the interest run up' })
  settlesToday!: number;
}

class NewestInvoiceResponse {
  @ApiProperty({ example: 1234 }) id!: number;
  @ApiProperty({ example: 'SZ-2014/000123' }) invoiceNumber!: string;
  @ApiProperty({ example: 'water' }) type!: string;
  @ApiProperty({ format: 'date', example: '2014-10-01' }) period!: string;
  @ApiProperty({ format: 'date', example: '2014-11-15' }) dueOn!: string;
  @ApiProperty({ example: 12700 }) grossTotal!: number;
  @ApiProperty({ example: 0 }) openAmount!: number;
  @ApiProperty({ enum: INVOICE_STATUSES, description: STATUS_DESCRIPTION }) status!: InvoiceStatus;
}

export class OpenRequestResponse {
  @ApiProperty({ example: 17 }) id!: number;
  @ApiProperty({ example: 'meter_reading' }) kind!: string;
  @ApiProperty({ example: 'in_review' }) state!: string;
  @ApiProperty() createdAt!: Date;
}

export class HomeSummaryResponse {
  @ApiProperty({ example: 12700, description: 'Forints open' }) openBalance!: number;
  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'The earliest due date of an open invoice' })
  nextDueOn!: string | null;
  @ApiProperty({ description: 'The earliest open invoice is past its due date' }) overdue!: boolean;
  @ApiProperty({ type: NewestInvoiceResponse, nullable: true }) newestInvoice!: NewestInvoiceResponse | null;
  @ApiProperty({ example: 1, description: 'How many of your meters may be read now' }) metersWithOpenWindow!: number;
  @ApiProperty({ example: 0 }) unreadMessages!: number;
  @ApiProperty({ type: [OpenRequestResponse] }) openRequests!: OpenRequestResponse[];
}

export class CustomerHitResponse {
  @ApiProperty({ example: 44 }) id!: number;
  @ApiProperty({ example: 'SU0044' }) code!: string;
  @ApiProperty({ example: 'Minta Mária' }) name!: string;
  @ApiProperty({ type: String, nullable: true, example: 'ugyfel@example.hu' }) email!: string | null;
  @ApiProperty({ example: '1234 Mintaváros, Fő utca 1.' }) address!: string;
}

export class CustomerHitListResponse {
  @ApiProperty({ type: [CustomerHitResponse], description: 'At most 20' }) items!: CustomerHitResponse[];
}

class CustomerRecordResponse {
  @ApiProperty({ example: 44 }) id!: number;
  @ApiProperty({ example: 'SU0044' }) code!: string;
  @ApiProperty({ example: 'Minta Mária' }) name!: string;
  @ApiProperty({ type: String, nullable: true }) email!: string | null;
  @ApiProperty({ type: String, nullable: true }) phone!: string | null;
  @ApiProperty({ example: '1234' }) postcode!: string;
  @ApiProperty({ example: 'Mintaváros' }) town!: string;
  @ApiProperty({ example: 'Fő utca 1.' }) address!: string;
  @ApiProperty({ example: 'transfer' }) paymentMethod!: string;
  @ApiProperty() eInvoice!: boolean;
  @ApiProperty({ example: 'household' }) customerType!: string;
  @ApiProperty({ description: 'The customer has registered on the portal' }) portalAccount!: boolean;
}

class CustomerMeterResponse extends MeterResponse {
  @ApiProperty({ type: [HistoryRowResponse], description: 'The newest billable readings (up to 6), newest first' })
  recentReadings!: HistoryRowResponse[];
}

class CustomerServicePointResponse {
  @ApiProperty({ example: 7 }) id!: number;
  @ApiProperty({ example: '1234 Mintaváros, Fő utca 1.' }) address!: string;
  @ApiProperty({ type: [CustomerMeterResponse] }) meters!: CustomerMeterResponse[];
}

export class CustomerDetailResponse {
  @ApiProperty({ type: CustomerRecordResponse }) customer!: CustomerRecordResponse;
  @ApiProperty({ type: [CustomerServicePointResponse] }) servicePoints!: CustomerServicePointResponse[];
  @ApiProperty({ type: InvoicePageResponse, description: 'The first page of the invoices' }) invoices!: InvoicePageResponse;
  @ApiProperty({ type: DebtsResponse, nullable: true }) debts!: DebtsResponse | null;
  @ApiProperty({ type: [OpenRequestResponse] }) openRequests!: OpenRequestResponse[];
}

class BaseRateAuthorResponse {
  @ApiProperty({ example: 1 }) companyId!: number;
  @ApiProperty({ example: 7 }) clerkId!: number;
}

export class BaseRateResponse {
  @ApiProperty({ format: 'date', example: '2024-09-25' }) validFrom!: string;
  @ApiProperty({ example: 6.5, description: 'Percent a year' }) rate!: number;
  @ApiProperty({ type: BaseRateAuthorResponse, nullable: true, description: 'Null for the central bank history the portal shipped with' })
  addedBy!: BaseRateAuthorResponse | null;
}

export class BaseRateListResponse {
  @ApiProperty({ type: [BaseRateResponse], description: 'Newest first' }) items!: BaseRateResponse[];
}

export class AddedBaseRateResponse {
  @ApiProperty({ format: 'date', example: '2026-12-17' }) validFrom!: string;
  @ApiProperty({ example: 6.25 }) rate!: number;
}
