import { Controller, Get, NotFoundException, Param, ParseIntPipe, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, PageRequest } from '../web/http';
import { CompanyDirectory } from '../web/company-directory.service';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { ServicePoints } from '../metering/service-points.service';
import { formatDate, formatMoney, todayInHungary } from '../web/format';
import { Language, translate } from '../web/i18n';
import { pageLanguage } from '../web/page-text';
import { BillingQueries, DebtItemView, InvalidCursorError, InvoiceSummary } from './billing-queries.service';
import { optionalId, sendInvoicePdf } from './billing-http';
import { CustomerHome } from './customer-home.service';
import { InterestComputation } from './late-interest';
import { RequestKinds } from '../approval/request-kind';

/** A percentage the Hungarian way: "4,25%". */
export function percent(value: number): string {
  return `${String(value).replace('.', ',')}%`;
}

const UNITS: Record<string, string> = { m3: 'm³', kWh: 'kWh', GJ: 'GJ' };

/** An invoice as a row of the list (the seed's columns). */
export function invoiceRow(
  invoice: Pick<InvoiceSummary, 'id' | 'invoiceNumber' | 'type' | 'dueOn' | 'grossTotal' | 'openAmount' | 'status'>,
) {
  return {
    id: invoice.id,
    invoiceNumber: invoice.invoiceNumber,
    typeKey: `billing.type.${invoice.type}`,
    dueOn: invoice.dueOn,
    grossTotal: invoice.grossTotal,
    openAmount: invoice.openAmount,
    statusKey: `billing.status.${invoice.status}`,
    status: invoice.status,
  };
}

/** How an interest amount comes about, half-year by half-year, as lines of text. */
export function interestLines(language: Language, computation: InterestComputation): string[] {
  return computation.segments.map((segment) =>
    translate(language, 'billing.interest.segment', {
      from: formatDate(segment.from),
      to: formatDate(segment.to),
      days: segment.days,
      principal: formatMoney(computation.principal),
      rate: percent(segment.rate),
      amount: formatMoney(segment.amount),
    }),
  );
}

/** A debt item as a row of the debts tables, with its explanation. */
export function debtRow(language: Language, item: DebtItemView) {
  const explained = item.interest ?? item.accruing;
  return {
    id: item.id,
    description: item.description,
    amount: item.amount,
    openAmount: item.openAmount,
    open: item.openAmount > 0,
    partlyPaid: item.openAmount > 0 && item.openAmount < item.amount,
    invoiceId: item.invoiceId,
    explanation: explained
      ? {
          summary: translate(language, item.interest ? 'billing.interest.booked' : 'billing.interest.accruing', {
            principal: formatMoney(explained.principal),
            from: formatDate(explained.from),
            to: formatDate(explained.to),
            days: explained.days,
            amount: formatMoney(explained.amount),
          }),
          lines: interestLines(language, explained),
        }
      : null,
  };
}

/**
 * `/`: a logged-in customer's home (Kezdőlap); everyone else gets the shell's landing page.
 * One handler for both, since Fastify routes a path to exactly one handler.
 */
@ApiExcludeController()
@Controller()
export class HomePage {
  constructor(
    private readonly home: CustomerHome,
    private readonly kinds: RequestKinds,
    private readonly companies: CompanyDirectory,
  ) {}

  @Get()
  async homePage(@Req() req: PageRequest, @Res() res: PageReply): Promise<void> {
    const principal = req.principal;
    if (principal?.kind !== 'customer') return void res.render('web/home', { companies: await this.companies.list() });
    const summary = await this.home.summary(principal.companyId, principal.customerId);
    res.render('billing/home', {
      titleKey: 'billing.home.title',
      openBalance: summary.openBalance,
      owes: summary.openBalance > 0,
      nextDueOn: summary.nextDueOn,
      overdue: summary.overdue,
      newestInvoice: summary.newestInvoice ? invoiceRow(summary.newestInvoice) : null,
      metersWithOpenWindow: summary.metersWithOpenWindow,
      unreadMessages: summary.unreadMessages,
      openRequests: summary.openRequests.map((request) => ({
        id: request.id,
        kindKey: this.kinds.get(request.kind).labelKey,
        stateKey: `approval.state.${request.state}`,
        createdAt: request.createdAt,
      })),
    });
  }
}

/**
 * The customer's money pages: invoices (Számlák) with detail and PDF, debts (Tartozás).
 */
@ApiExcludeController()
@Controller()
@UseGuards(CustomerGuard)
export class BillingPages {
  constructor(
    private readonly billing: BillingQueries,
    private readonly servicePoints: ServicePoints,
  ) {}

  @Get('invoices')
  async invoices(
    @CurrentCustomer() customer: CustomerRef,
    @Res() res: PageReply,
    @Query('year') yearParam?: string,
    @Query('servicePoint') servicePointParam?: string,
    @Query('before') before?: string,
  ): Promise<void> {
    const [years, points] = await Promise.all([
      this.billing.invoiceYears(customer.companyId, customer.customerId),
      this.servicePoints.list(customer.companyId, customer.customerId),
    ]);
    // The newest year by default (the seed's list shows one year); "all" shows every year.
    const allYears = yearParam === 'all';
    const year = allYears ? undefined : (optionalId(yearParam, 'year') ?? years[0]);
    const servicePointId = optionalId(servicePointParam, 'servicePoint');
    if (servicePointId !== undefined && !points.some((point) => point.id === servicePointId)) throw new NotFoundException();
    let page;
    try {
      page = await this.billing.invoices(customer.companyId, customer.customerId, { year, servicePointId, before });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new NotFoundException();
      throw error;
    }
    // Invoices of a service point switched to e-számla go by e-mail instead of on paper.
    const eInvoicePoints = new Set<number | null>(points.filter((point) => point.eInvoice).map((point) => point.id));
    const query = (extra: Record<string, string>) =>
      new URLSearchParams({
        ...(allYears ? { year: 'all' } : year !== undefined ? { year: String(year) } : {}),
        ...(servicePointId !== undefined ? { servicePoint: String(servicePointId) } : {}),
        ...extra,
      }).toString();
    res.render('billing/invoices', {
      titleKey: 'billing.invoices.title',
      invoices: page.items.map((invoice) => ({ ...invoiceRow(invoice), eInvoice: eInvoicePoints.has(invoice.servicePointId) })),
      years: [
        { value: 'all', label: translate(pageLanguage(res), 'billing.invoices.allYears'), selected: allYears },
        ...years.map((y) => ({ value: String(y), label: String(y), selected: y === year })),
      ],
      servicePoints: [
        { value: '', label: translate(pageLanguage(res), 'billing.invoices.allServicePoints'), selected: servicePointId === undefined },
        ...points.map((point) => ({ value: String(point.id), label: point.address, selected: point.id === servicePointId })),
      ],
      showServicePoints: points.length > 1,
      nextHref: page.nextCursor ? `/invoices?${query({ before: page.nextCursor })}` : '',
      firstHref: before ? `/invoices?${query({})}` : '',
    });
  }

  @Get('invoices/:id')
  async invoice(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply, @Param('id', ParseIntPipe) id: number): Promise<void> {
    const invoice = await this.billing.invoice(customer.companyId, customer.customerId, id);
    if (!invoice) throw new NotFoundException();
    res.render('billing/invoice', {
      titleKey: 'billing.invoice.title',
      invoice: {
        ...invoiceRow(invoice),
        issuedOn: invoice.issuedOn,
        periodMonth: invoice.period.slice(0, 7).replace('-', '/'),
        servicePoint: invoice.servicePoint
          ? `${invoice.servicePoint.postcode} ${invoice.servicePoint.town}, ${invoice.servicePoint.address}`
          : null,
        consumption:
          invoice.consumption !== null && invoice.consumptionUnit !== null
            ? `${String(invoice.consumption).replace('.', ',')} ${UNITS[invoice.consumptionUnit] ?? invoice.consumptionUnit}`
            : null,
        lines: invoice.lines.map((line) => ({
          ...line,
          quantity: String(line.quantity).replace('.', ','),
          unit: UNITS[line.unit] ?? line.unit,
          unitPrice: String(Number(line.unitPrice.toFixed(2))).replace('.', ','),
          vatRate: percent(line.vatRate),
        })),
        vatSummary: invoice.vatSummary.map((v) => ({ ...v, vatRate: percent(v.vatRate) })),
        totals: invoice.totals,
        payments: invoice.payments,
        pdfHref: `/invoices/${invoice.id}/pdf`,
      },
    });
  }

  @Get('invoices/:id/pdf')
  async pdf(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply, @Param('id', ParseIntPipe) id: number): Promise<void> {
    const invoice = await this.billing.invoice(customer.companyId, customer.customerId, id);
    if (!invoice) throw new NotFoundException();
    await sendInvoicePdf(res, invoice, pageLanguage(res), await this.billing.storedPdf(customer.companyId, invoice.id));
  }

  @Get('debts')
  async debts(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply): Promise<void> {
    const view = await this.billing.debts(customer.companyId, customer.customerId, todayInHungary());
    if (!view) throw new NotFoundException();
    const language = pageLanguage(res);
    const rows = view.items.map((item) => ({ ...debtRow(language, item), kind: item.kind }));
    res.render('billing/debts', {
      titleKey: 'billing.debts.title',
      openTotal: view.openTotal,
      accruedInterest: view.accruedInterest,
      settlesToday: view.settlesToday,
      hasAccrued: view.accruedInterest > 0,
      today: view.today,
      ruleKey: view.rule === 'civil_code' ? `billing.debts.rule.${view.debtor}` : 'billing.debts.rule.none',
      invoiceDebts: rows.filter((row) => row.kind !== 'reminder_fee'),
      reminderFees: rows.filter((row) => row.kind === 'reminder_fee'),
      hasOpen: view.openTotal > 0,
    });
  }
}
