import { Body, Controller, Get, NotFoundException, Param, ParseIntPipe, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, redirectSeeOther } from '../web/http';
import { CustomerRequestsService, CustomerRequestView } from '../approval/customer-requests.service';
import { timelineModel } from '../approval/customer-timeline';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { formatDate } from '../web/format';
import { pageLanguage, pageText as t } from '../web/page-text';
import { MeterQueries, MeterView } from './meter-queries.service';
import { consumptionByMonth, renderConsumptionChart } from './reading-chart';
import { READING_KIND, meterSubject } from './reading-request.kind';
import { formatReading, UNIT_LABELS } from './reading-review';
import { ReadingCheck, ReadingError, ReadingService } from './reading.service';
import { ServicePoints } from './service-points.service';
import { WriteLimited } from '../identity/write-limit.guard';

/** A refused reading as the message the form shows. */
function readingErrorMessage(res: PageReply, error: ReadingError, decimals: number): string {
  switch (error.code) {
    case 'meter_not_found':
      return t(res, 'metering.error.meterNotFound');
    case 'window_closed':
      return error.nextOpensOn
        ? t(res, 'metering.error.windowClosedUntil', { date: formatDate(error.nextOpensOn) })
        : t(res, 'metering.error.windowNone');
    case 'invalid_value':
      if (/too large/.test(error.message)) return t(res, 'metering.error.tooLarge');
      if (/decimal place|whole numbers/.test(error.message)) {
        return decimals === 0 ? t(res, 'metering.error.wholeOnly') : t(res, 'metering.error.decimals', { decimals });
      }
      return t(res, 'metering.error.notNumber');
    case 'invalid_date':
      return t(res, 'metering.error.date');
    case 'below_last':
      return t(res, 'metering.error.belowLast', { value: formatReading(error.lastValue), date: formatDate(error.lastReadOn) });
    case 'already_reported':
      return error.state === 'in_review' ? t(res, 'metering.error.inReview') : t(res, 'metering.error.alreadyAccepted');
  }
}

interface FormState {
  meterId: number;
  value: string;
  replacement: boolean;
  error?: string;
  check?: ReadingCheck;
}

interface ReadingForm {
  meterId?: unknown;
  value?: unknown;
  replacement?: unknown;
  confirm?: unknown;
  servicePoint?: unknown;
}

/** "Mérőóraállás bejelentése": the customer's meters, the reading form with a confirmation step, history with a chart. */
@ApiExcludeController()
@Controller('readings')
@UseGuards(CustomerGuard)
export class ReadingsPages {
  constructor(
    private readonly queries: MeterQueries,
    private readonly readings: ReadingService,
    private readonly requests: CustomerRequestsService,
    private readonly servicePoints: ServicePoints,
  ) {}

  @Get()
  async page(
    @CurrentCustomer() customer: CustomerRef,
    @Res() res: PageReply,
    @Query('servicePoint') servicePoint?: string,
    @Query('sent') sent?: string,
  ): Promise<void> {
    await this.render(res, customer, servicePoint, null, 200, sent ? { kind: 'success', message: t(res, 'metering.sent') } : undefined);
  }

  @Post()
  @WriteLimited()
  async submit(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply, @Body() body: ReadingForm): Promise<void> {
    const meterId = Number(typeof body.meterId === 'string' ? body.meterId : NaN);
    const meter = Number.isSafeInteger(meterId) ? await this.queries.meter(customer.companyId, customer.customerId, meterId) : null;
    if (!meter) throw new NotFoundException();
    const form: FormState = {
      meterId,
      value: typeof body.value === 'string' ? body.value.slice(0, 40) : '',
      replacement: body.replacement === '1' || body.replacement === 'on',
    };
    const input = { meterId, value: form.value, replacement: form.replacement };
    const servicePoint = String(meter.servicePointId);
    if (body.confirm === '1') {
      const result = await this.readings.submit(customer.companyId, customer.customerId, input);
      if (result.ok) return redirectSeeOther(res, `/readings?servicePoint=${servicePoint}&sent=${result.value.requestId}#meter-${meterId}`);
      form.error = readingErrorMessage(res, result.error, meter.decimals);
      return this.render(res, customer, servicePoint, form, result.error.code === 'already_reported' ? 409 : 400);
    }
    const result = await this.readings.check(customer.companyId, customer.customerId, input);
    if (result.ok) form.check = result.value;
    else form.error = readingErrorMessage(res, result.error, meter.decimals);
    await this.render(res, customer, servicePoint, form, result.ok ? 200 : 400);
  }

  @Get('meters/:meterId/history')
  async history(
    @CurrentCustomer() customer: CustomerRef,
    @Res() res: PageReply,
    @Param('meterId', ParseIntPipe) meterId: number,
  ): Promise<void> {
    const meter = await this.queries.meter(customer.companyId, customer.customerId, meterId);
    if (!meter) throw new NotFoundException();
    const rows = await this.queries.history(customer.companyId, customer.customerId, meterId);
    const unit = UNIT_LABELS[meter.unit] ?? meter.unit;
    res.render('metering/history', {
      titleKey: 'metering.history.title',
      meter: {
        id: meter.id,
        serialNumber: meter.serialNumber,
        typeKey: `metering.type.${meter.type}`,
        servicePointId: meter.servicePointId,
      },
      unit,
      chartSrc: `/readings/meters/${meter.id}/chart.svg`,
      rows: rows.map((r) => ({
        readOn: r.readOn,
        value: formatReading(r.value),
        consumption: r.consumption === null ? null : formatReading(r.consumption),
        kindKey: `metering.kind.${r.kind}`,
      })),
    });
  }

  /** The consumption chart as an image (an <img> keeps the SVG out of the escaped template). */
  @Get('meters/:meterId/chart.svg')
  async chart(
    @CurrentCustomer() customer: CustomerRef,
    @Res() res: PageReply,
    @Param('meterId', ParseIntPipe) meterId: number,
  ): Promise<void> {
    const meter = await this.queries.meter(customer.companyId, customer.customerId, meterId);
    if (!meter) throw new NotFoundException();
    const rows = await this.queries.history(customer.companyId, customer.customerId, meterId);
    sendChart(res, meter.unit, rows);
  }

  private async render(
    res: PageReply,
    customer: CustomerRef,
    servicePointParam: string | undefined,
    form: FormState | null,
    status: number,
    flash?: { kind: 'success' | 'info' | 'error'; message: string },
  ): Promise<void> {
    const points = await this.servicePoints.list(customer.companyId, customer.customerId);
    let selected = points[0];
    if (servicePointParam !== undefined && servicePointParam !== '') {
      selected = points.find((p) => String(p.id) === servicePointParam)!;
      if (!selected) throw new NotFoundException();
    }
    const meters = selected ? await this.queries.meters(customer.companyId, customer.customerId, selected.id) : [];
    const requests = await this.requests.latestBySubject(
      customer.companyId,
      customer.customerId,
      READING_KIND,
      meters.map((m) => meterSubject(m.id)),
      pageLanguage(res),
    );
    res.status(status).render('metering/readings', {
      titleKey: 'metering.title',
      ...(flash ? { flash } : {}),
      servicePoints: points.map((p) => ({ id: p.id, address: p.address, selected: p.id === selected?.id })),
      hasServicePoints: points.length > 0,
      selectedServicePoint: selected ? selected.id : null,
      meters: meters.map((m) => this.meterContext(res, m, requests.get(meterSubject(m.id)) ?? [], form?.meterId === m.id ? form : null)),
    });
  }

  private meterContext(res: PageReply, m: MeterView, requests: CustomerRequestView[], form: FormState | null) {
    const unit = UNIT_LABELS[m.unit] ?? m.unit;
    return {
      id: m.id,
      serialNumber: m.serialNumber,
      typeKey: `metering.type.${m.type}`,
      calibratedAt: m.calibratedAt,
      providerReadingPeriod: m.providerReadingPeriod,
      unit,
      decimalsHint: m.decimals === 0 ? t(res, 'metering.form.wholeHint') : t(res, 'metering.form.decimalsHint', { decimals: m.decimals }),
      windowOpen: m.window.open,
      windowOpensOn: m.window.opensOn,
      windowClosesOn: m.window.closesOn,
      last: m.lastReading
        ? { readOn: m.lastReading.readOn, value: formatReading(m.lastReading.value), kindKey: `metering.kind.${m.lastReading.kind}` }
        : null,
      requests: requests.map((r) => ({
        value: typeof r.details.value === 'string' ? formatReading(r.details.value) : '',
        timeline: timelineModel(pageLanguage(res), r, '/readings'),
      })),
      form: {
        value: form?.value ?? '',
        replacement: form?.replacement ?? false,
        error: form?.error ?? null,
        confirm: form?.check
          ? {
              consumption: form.check.consumption === null ? null : formatReading(form.check.consumption),
              warnings: form.check.hints.map((h) => t(res, `metering.hint.${h.code}`)),
            }
          : null,
      },
    };
  }
}

/** Sends the consumption-per-month chart of billable readings as image/svg+xml. */
export function sendChart(res: PageReply, unitCode: string, rows: ReadonlyArray<{ readOn: string; consumption: number | null }>): void {
  const unit = UNIT_LABELS[unitCode] ?? unitCode;
  const svg = renderConsumptionChart(consumptionByMonth(rows), {
    title: t(res, 'metering.chart.title', { unit }),
    unit,
    emptyText: t(res, 'metering.chart.empty'),
  });
  res.status(200).type('image/svg+xml').header('Cache-Control', 'private, no-store').send(svg);
}
