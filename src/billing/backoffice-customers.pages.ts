import {
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, PageRequest, redirectSeeOther } from '../web/http';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';
import { BackofficeGuard, Clerk } from '../identity/clerk.guard';
import { roleAtLeast } from '../identity/clerk-roles';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { translate } from '../web/i18n';
import { pageLanguage } from '../web/page-text';
import { PaymentQueries } from '../payments/payment-queries.service';
import { debtRow, invoiceRow, percent } from './billing.pages';
import { BASE_RATE_EDITOR, BaseRates } from './base-rates.service';
import { CustomerLookup, MIN_SEARCH_LENGTH } from './customer-lookup.service';
import { RequestKinds } from '../approval/request-kind';
import { UNIT_LABELS, formatReading } from '../metering/reading-review';
import { WriteLimited } from '../identity/write-limit.guard';

/** How many of a customer's newest payments their page shows. */
const CUSTOMER_PAGE_PAYMENTS = 10;

/** A meter value the Hungarian way, with its unit: "123,5 m³". */
function meterValue(value: number, unit: string): string {
  return `${formatReading(value)} ${UNIT_LABELS[unit] ?? unit}`;
}

/** The clerk's customer look-up and customer page, and the base-rate history page. */

@ApiExcludeController()
@Controller('backoffice')
@UseFilters(BackofficeRedirectFilter)
@UseGuards(BackofficeGuard)
export class BackofficeCustomersPages {
  constructor(
    private readonly payments: PaymentQueries,
    private readonly lookup: CustomerLookup,
    private readonly baseRates: BaseRates,
    private readonly kinds: RequestKinds,
  ) {}

  @Get('customers')
  async search(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Query('q') q?: string): Promise<void> {
    const term = typeof q === 'string' ? q.slice(0, 100) : '';
    const searched = term.trim().length >= MIN_SEARCH_LENGTH;
    const hits = searched ? await this.lookup.search(clerk.companyId, term) : [];
    res.render('billing/backoffice/customers', {
      titleKey: 'billing.customers.title',
      q: term,
      searched,
      tooShort: term.trim().length > 0 && !searched,
      hits,
    });
  }

  @Get('customers/:id')
  async customer(
    @Clerk() clerk: ClerkIdentity,
    @Req() req: PageRequest,
    @Res() res: PageReply,
    @Param('id', ParseIntPipe) id: number,
  ): Promise<void> {
    const [detail, payments, received] = await Promise.all([
      this.lookup.detail(clerk, id, req.ip ?? null),
      this.payments.forCustomer(clerk.companyId, id, CUSTOMER_PAGE_PAYMENTS),
      this.payments.receivedForCustomer(clerk.companyId, id, CUSTOMER_PAGE_PAYMENTS),
    ]);
    if (!detail) throw new NotFoundException();
    const language = pageLanguage(res);
    const c = detail.customer;
    const rows = (detail.debts?.items ?? []).map((item) => ({ ...debtRow(language, item), kind: item.kind }));
    res.render('billing/backoffice/customer', {
      titleKey: 'billing.customers.detailTitle',
      customer: {
        ...c,
        address: `${c.postcode} ${c.town}, ${c.address}`,
        paymentMethodKey: `billing.paymentMethod.${c.paymentMethod}`,
        typeKey: `billing.customerType.${c.customerType}`,
      },
      servicePoints: detail.servicePoints.map((point) => ({
        id: point.id,
        address: point.address,
        meters: point.meters.map((meter) => ({
          id: meter.id,
          serialNumber: meter.serialNumber,
          typeKey: `metering.type.${meter.type}`,
          windowOpen: meter.window.open,
          last: meter.lastReading
            ? {
                readOn: meter.lastReading.readOn,
                value: meterValue(meter.lastReading.value, meter.unit),
                kindKey: `metering.kind.${meter.lastReading.kind}`,
              }
            : null,
          recent: meter.recentReadings.map((reading) => ({
            readOn: reading.readOn,
            value: meterValue(reading.value, meter.unit),
            consumption: reading.consumption === null ? null : meterValue(reading.consumption, meter.unit),
            kindKey: `metering.kind.${reading.kind}`,
          })),
        })),
      })),
      invoices: detail.invoices.items.map(invoiceRow),
      debts: detail.debts
        ? { openTotal: detail.debts.openTotal, settlesToday: detail.debts.settlesToday, rows: rows.filter((row) => row.open) }
        : null,
      // Card payments the moment they exist, newest first; the full list is one link away.
      payments: payments.map((payment) => ({
        id: payment.id,
        amount: payment.paidAmount ?? payment.amount,
        stateKey: `payments.state.${payment.status}`,
        createdAt: payment.createdAt,
        bankReference: payment.bankReference,
        flagged: payment.flagged,
        allocations: payment.allocations.map((allocation) => ({ reference: allocation.reference, amount: allocation.amount })),
      })),
      // Payments the billing back office received elsewhere (bank transfer, cash…) and imported.
      received: received.map((payment) => ({ ...payment, methodKey: `payments.received.method.${payment.method}` })),
      openRequests: detail.openRequests.map((request) => ({
        id: request.id,
        kindKey: this.kinds.get(request.kind).labelKey,
        stateKey: `approval.state.${request.state}`,
        createdAt: request.createdAt,
      })),
    });
  }

  @Get('base-rates')
  async ratesPage(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Query('added') added?: string): Promise<void> {
    await this.renderRates(
      clerk,
      res,
      200,
      [],
      added ? { kind: 'success', message: translate(pageLanguage(res), 'billing.rates.added') } : undefined,
    );
  }

  @Post('base-rates')
  @WriteLimited()
  async addRate(
    @Clerk() clerk: ClerkIdentity,
    @Req() req: PageRequest,
    @Res() res: PageReply,
    @Body() body: { validFrom?: unknown; rate?: unknown },
  ): Promise<void> {
    const validFrom = typeof body?.validFrom === 'string' ? body.validFrom.trim() : '';
    const rateText = typeof body?.rate === 'string' ? body.rate.trim().replace(',', '.') : '';
    const rate = /^\d{1,2}(\.\d{1,2})?$/.test(rateText) ? Number(rateText) : NaN;
    const result = await this.baseRates.add(clerk, { validFrom, rate }, req.ip ?? null);
    if (result.kind === 'added') return redirectSeeOther(res, '/backoffice/base-rates?added=1');
    if (result.kind === 'forbidden') {
      return res.status(403).render('web/error', { status: 403, titleKey: 'error.request.title', textKey: 'error.request.text' });
    }
    const key = result.kind === 'exists' ? 'billing.rates.exists' : `billing.rates.invalid.${result.reason}`;
    await this.renderRates(clerk, res, result.kind === 'exists' ? 409 : 400, [translate(pageLanguage(res), key)]);
  }

  private async renderRates(
    clerk: ClerkIdentity,
    res: PageReply,
    status: number,
    errors: string[],
    flash?: { kind: 'success'; message: string },
  ): Promise<void> {
    const rates = await this.baseRates.list();
    res.status(status).render('billing/backoffice/base-rates', {
      titleKey: 'billing.rates.title',
      errors,
      ...(flash ? { flash } : {}),
      canAdd: roleAtLeast(clerk.role, BASE_RATE_EDITOR),
      rates: rates.map((rate) => ({ validFrom: rate.validFrom, rate: percent(rate.rate), added: rate.addedBy !== null })),
    });
  }
}
