import { Body, Controller, Get, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, redirectSeeOther } from '../web/http';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { PAYMENT_METHODS } from '../identity/customer.entity';
import { WriteLimited } from '../identity/write-limit.guard';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';
import { pageText as t } from '../web/page-text';
import { ANSWER_DAYS_MAX, ANSWER_DAYS_MIN, CompanySettingsInput, SettingsError } from './company-settings-rules';
import { PROFILE_FIELDS } from './profile-settings.entity';
import { CompanySettings, ProfileSettingsService } from './profile-settings.service';

/** A form names a kind's answer days `answerDays_<kind>` (flat names: no nested form parsing needed). */
const DAYS_FIELD = /^answerDays_([a-z_]{2,40})$/;

/** The admin's page of the company's settings for customer requests (Beállítások): what customers may change online, payment methods, answer deadlines. */
@ApiExcludeController()
@Controller('backoffice/settings')
@UseGuards(BackofficeGuard)
@MinRole('admin')
@UseFilters(BackofficeRedirectFilter)
export class CompanySettingsPages {
  constructor(private readonly settings: ProfileSettingsService) {}

  @Get()
  async page(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Query('saved') saved: unknown): Promise<void> {
    const current = await this.settings.settings(clerk.companyId);
    this.render(res, 200, current, [], saved === '1');
  }

  @Post()
  @WriteLimited()
  async save(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Body() body: unknown): Promise<void> {
    const form = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const input: CompanySettingsInput = {
      editableFields: form.editableFields,
      paymentMethods: form.paymentMethods,
      answerDays: Object.fromEntries(
        Object.entries(form).flatMap(([name, value]) => {
          const kind = DAYS_FIELD.exec(name)?.[1];
          return kind ? [[kind, value]] : [];
        }),
      ),
    };
    const result = await this.settings.update(clerk, input);
    if (result.ok) return redirectSeeOther(res, '/backoffice/settings?saved=1');
    if (result.error.code === 'forbidden') {
      return res.status(403).render('web/error', { status: 403, titleKey: 'error.request.title', textKey: 'error.request.text' });
    }
    // The form shows what the admin sent, beside the current deadlines' defaults.
    const current = await this.settings.settings(clerk.companyId);
    const sent = (value: unknown) => (typeof value === 'string' ? [value] : Array.isArray(value) ? value : []) as unknown[];
    this.render(
      res,
      400,
      {
        editableFields: PROFILE_FIELDS.filter((field) => sent(form.editableFields).includes(field)),
        paymentMethods: PAYMENT_METHODS.filter((method) => sent(form.paymentMethods).includes(method)),
        answerDeadlines: current.answerDeadlines,
      },
      result.error.errors,
      false,
      input.answerDays,
    );
  }

  private render(
    res: PageReply,
    status: number,
    settings: CompanySettings,
    errors: SettingsError[],
    saved: boolean,
    sentDays: Readonly<Record<string, unknown>> = {},
  ): void {
    res.status(status).render('profile/backoffice/settings', {
      titleKey: 'profile.settings.title',
      flash: saved ? { kind: 'success', message: t(res, 'profile.settings.saved') } : undefined,
      errors: errors.map((error) => this.errorText(res, settings, error)),
      fields: PROFILE_FIELDS.map((field) => ({
        value: field,
        label: t(res, `profile.field.${field}`),
        checked: settings.editableFields.includes(field),
      })),
      paymentMethods: PAYMENT_METHODS.map((method) => ({
        value: method,
        label: t(res, `profile.paymentMethod.${method}`),
        checked: settings.paymentMethods.includes(method),
      })),
      deadlines: settings.answerDeadlines.map((deadline) => {
        const sent = sentDays[deadline.kind];
        return {
          kind: deadline.kind,
          label: t(res, deadline.labelKey),
          value: typeof sent === 'string' ? sent : (deadline.days ?? ''),
          hint: t(res, 'profile.settings.daysHint', { days: deadline.defaultDays, min: ANSWER_DAYS_MIN, max: ANSWER_DAYS_MAX }),
          invalid: errors.some((error) => error.field === `answerDays.${deadline.kind}`),
        };
      }),
      min: ANSWER_DAYS_MIN,
      max: ANSWER_DAYS_MAX,
    });
  }

  private errorText(res: PageReply, settings: CompanySettings, error: SettingsError): string {
    const kind = error.field.startsWith('answerDays.') ? error.field.slice('answerDays.'.length) : null;
    const deadline = kind ? settings.answerDeadlines.find((d) => d.kind === kind) : undefined;
    return t(res, `profile.settings.error.${error.code}`, {
      kind: deadline ? t(res, deadline.labelKey) : (kind ?? ''),
      min: ANSWER_DAYS_MIN,
      max: ANSWER_DAYS_MAX,
    });
  }
}
