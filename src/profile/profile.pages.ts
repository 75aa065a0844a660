import { Body, Controller, Get, NotFoundException, Param, ParseIntPipe, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, PageRequest, redirectSeeOther } from '../web/http';
import { CustomerRequestsService } from '../approval/customer-requests.service';
import { timelineModel } from '../approval/customer-timeline';
import { CsrfTokenGuard, CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { CustomerDataField } from '../identity/customer-records.service';
import { ServicePoints } from '../metering/service-points.service';
import { formatDate } from '../web/format';
import { Language, translate } from '../web/i18n';
import { pageLanguage } from '../web/page-text';
import { FieldChanges, FieldError, orderedFields } from './customer-data-rules';
import { DATA_CHANGE_KIND, dataChangeSubject } from './data-change.kind';
import { fieldValue } from './data-change-review';
import { DataChangeError, DataChangeService } from './data-change.service';
import { E_INVOICE_KIND, eInvoiceSubject } from './e-invoice.kind';
import { consentText, EInvoiceError, EInvoiceService } from './e-invoice.service';
import { WriteLimited } from '../identity/write-limit.guard';

/** The fields of the page, in the seed's order; the billing name last (most companies do not let it change online). */
const FIELDS: ReadonlyArray<{ name: CustomerDataField; type: string; autocomplete: string }> = [
  { name: 'email', type: 'email', autocomplete: 'email' },
  { name: 'phone', type: 'tel', autocomplete: 'tel' },
  { name: 'postcode', type: 'text', autocomplete: 'postal-code' },
  { name: 'town', type: 'text', autocomplete: 'address-level2' },
  { name: 'address', type: 'text', autocomplete: 'street-address' },
  { name: 'paymentMethod', type: 'select', autocomplete: 'off' },
  { name: 'name', type: 'text', autocomplete: 'name' },
];

const FLASHES = ['sent', 'confirm', 'eInvoice', 'withdrawn', 'stale'] as const;

function fieldErrorMessage(lang: Language, error: FieldError): string {
  return translate(lang, `profile.error.${error.code}`, { field: translate(lang, `profile.field.${error.field}`) });
}

function dataChangeErrorMessage(lang: Language, error: DataChangeError): string {
  switch (error.code) {
    case 'throttled':
      return translate(lang, 'profile.error.throttled', { minutes: Math.max(1, Math.ceil(error.retryAfterSeconds / 60)) });
    case 'invalid':
      return translate(lang, 'profile.error.invalid');
    default:
      return translate(lang, `profile.error.${error.code}`);
  }
}

/**
 * Ügyféladatok: the customer's data with the form proposing changes ("Módosítások
 * elküldése"), the pending change with its timeline and withdraw button, the
 * e-invoice switch of each service point, and the account's own pages (password,
 * deletion). The confirmation link of a new e-mail address lands here too.
 */
@ApiExcludeController()
@Controller('profile')
export class ProfilePages {
  constructor(
    private readonly dataChanges: DataChangeService,
    private readonly eInvoices: EInvoiceService,
    private readonly requests: CustomerRequestsService,
    private readonly servicePoints: ServicePoints,
  ) {}

  @Get()
  @UseGuards(CustomerGuard)
  async page(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply, @Query() query: Record<string, unknown>): Promise<void> {
    const lang = pageLanguage(res);
    const flash = FLASHES.find((name) => typeof query[name] === 'string');
    await this.render(res, customer, {
      status: 200,
      flash: flash ? { kind: flash === 'stale' ? 'error' : 'success', message: translate(lang, `profile.flash.${flash}`) } : undefined,
    });
  }

  @Post()
  @WriteLimited()
  @UseGuards(CustomerGuard)
  async submit(
    @CurrentCustomer() customer: CustomerRef,
    @Req() req: PageRequest,
    @Res() res: PageReply,
    @Body() body: Record<string, unknown>,
  ): Promise<void> {
    const lang = pageLanguage(res);
    const proposed = Object.fromEntries(
      FIELDS.filter(({ name }) => typeof body[name] === 'string').map(({ name }) => [name, (body[name] as string).slice(0, 300)]),
    );
    const result = await this.dataChanges.submit(customer.companyId, customer.customerId, proposed, { language: lang, ip: req.ip ?? null });
    if (result.ok) return redirectSeeOther(res, `/profile?${result.value.status === 'submitted' ? 'sent' : 'confirm'}=1`);
    if (result.error.code === 'customer_not_found') throw new NotFoundException();
    const fieldErrors =
      result.error.code === 'invalid'
        ? Object.fromEntries(result.error.errors.map((error) => [error.field, fieldErrorMessage(lang, error)]))
        : {};
    const status = result.error.code === 'throttled' ? 429 : result.error.code === 'already_in_review' ? 409 : 400;
    await this.render(res, customer, {
      status,
      values: proposed,
      fieldErrors,
      flash: { kind: 'error', message: dataChangeErrorMessage(lang, result.error) },
    });
  }

  @Post('e-invoice/:servicePointId')
  @WriteLimited()
  @UseGuards(CustomerGuard)
  async eInvoice(
    @CurrentCustomer() customer: CustomerRef,
    @Res() res: PageReply,
    @Param('servicePointId', ParseIntPipe) servicePointId: number,
    @Body() body: Record<string, unknown>,
  ): Promise<void> {
    const lang = pageLanguage(res);
    const result = await this.eInvoices.request(customer.companyId, customer.customerId, {
      servicePointId,
      optIn: body.optIn === '1',
      consent: body.consent === '1' || body.consent === 'on',
      language: lang,
    });
    if (result.ok) return redirectSeeOther(res, '/profile?eInvoice=1#e-invoice');
    if (result.error.code === 'service_point_not_found') throw new NotFoundException();
    await this.render(res, customer, {
      status: result.error.code === 'already_in_review' ? 409 : 400,
      flash: { kind: 'error', message: eInvoiceErrorMessage(lang, result.error) },
    });
  }

  @Get('confirm-email')
  @UseGuards(CsrfTokenGuard)
  async confirmForm(@Query('token') token: unknown, @Res() res: PageReply): Promise<void> {
    if (!(await this.dataChanges.confirmationIsLive(token)))
      return res.status(400).render('profile/confirm-email', { titleKey: 'profile.confirmEmail.title', invalid: true });
    res.render('profile/confirm-email', { titleKey: 'profile.confirmEmail.title', token });
  }

  @Post('confirm-email')
  @WriteLimited({ anonymous: 'people' })
  async confirm(@Res() res: PageReply, @Body() body: Record<string, unknown>): Promise<void> {
    const lang = pageLanguage(res);
    const result = await this.dataChanges.confirmEmail(body.token);
    if (result.ok) return res.status(200).render('profile/confirm-email', { titleKey: 'profile.confirmEmail.title', done: true });
    const message = dataChangeErrorMessage(lang, result.error);
    res.status(result.error.code === 'already_in_review' ? 409 : 400).render('profile/confirm-email', {
      titleKey: 'profile.confirmEmail.title',
      invalid: result.error.code === 'invalid_link',
      error: result.error.code === 'invalid_link' ? null : message,
      token: typeof body.token === 'string' ? body.token : '',
    });
  }

  private async render(
    res: PageReply,
    customer: CustomerRef,
    options: {
      status: number;
      values?: Record<string, string>;
      fieldErrors?: Record<string, string>;
      flash?: { kind: string; message: string };
    },
  ): Promise<void> {
    const lang = pageLanguage(res);
    const { companyId, customerId } = customer;
    const [overview, points] = await Promise.all([
      this.dataChanges.overview(companyId, customerId),
      this.servicePoints.list(companyId, customerId),
    ]);
    if (!overview) throw new NotFoundException();
    const [changes, switches] = await Promise.all([
      this.requests.latestBySubject(companyId, customerId, DATA_CHANGE_KIND, [dataChangeSubject(customerId).subjectRef], lang, 1),
      this.requests.latestBySubject(
        companyId,
        customerId,
        E_INVOICE_KIND,
        points.map((point) => eInvoiceSubject(point.id).subjectRef),
        lang,
        1,
      ),
    ]);
    const latestChange = changes.get(dataChangeSubject(customerId).subjectRef)?.[0];
    const errors = options.fieldErrors ?? {};
    res.status(options.status).render('profile/profile', {
      titleKey: 'profile.title',
      ...(options.flash ? { flash: options.flash } : {}),
      errors: Object.values(errors),
      fields: FIELDS.map(({ name, type, autocomplete }) => {
        const current = overview.data[name];
        const value = options.values?.[name] ?? current ?? '';
        return {
          name,
          type,
          autocomplete,
          labelKey: `profile.field.${name}`,
          value,
          shown: fieldValue(lang, name, current),
          editable: overview.rules.editableFields.includes(name),
          select: type === 'select',
          options:
            type === 'select'
              ? [...new Set([current as string, ...overview.rules.paymentMethods])].map((method) => ({
                  value: method,
                  labelKey: `profile.paymentMethod.${method}`,
                  selected: method === value,
                }))
              : [],
          error: errors[name] ?? null,
        };
      }),
      hasEditable: overview.rules.editableFields.length > 0,
      pendingEmail: overview.pendingEmail
        ? { email: overview.pendingEmail.email, until: formatDate(overview.pendingEmail.expiresAt) }
        : null,
      change: latestChange
        ? {
            summary: latestChange.summary,
            rows: orderedFields(latestChange.details.changes as FieldChanges).map((field) => ({
              labelKey: `profile.field.${field}`,
              from: fieldValue(lang, field, (latestChange.details.changes as FieldChanges)[field]!.from),
              to: fieldValue(lang, field, (latestChange.details.changes as FieldChanges)[field]!.to),
            })),
            timeline: timelineModel(lang, latestChange, '/profile'),
          }
        : null,
      servicePoints: points.map((point) => {
        const latest = switches.get(eInvoiceSubject(point.id).subjectRef)?.[0];
        return {
          id: point.id,
          address: point.address,
          eInvoice: point.eInvoice,
          consentText: consentText(lang, !point.eInvoice),
          request: latest ? { summary: latest.summary, timeline: timelineModel(lang, latest, '/profile') } : null,
        };
      }),
    });
  }
}

function eInvoiceErrorMessage(lang: Language, error: EInvoiceError): string {
  return translate(lang, `profile.eInvoice.error.${error.code}`);
}
