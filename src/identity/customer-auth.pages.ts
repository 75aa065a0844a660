import { Body, Controller, Get, NotFoundException, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, PageRequest, redirectSeeOther } from '../web/http';
import { CompanyDirectory } from '../web/company-directory.service';
import { Language, translate } from '../web/i18n';
import { pageLanguage, pageText } from '../web/page-text';
import { AccountDeletionService } from './account-deletion.service';
import { parseForintAmount } from './amount';
import { CsrfTokenGuard, CurrentCustomer, CustomerGuard, CustomerRef } from './auth.guards';
import { ChangePasswordDto, DeleteAccountDto, ForgotPasswordDto, LoginDto, RegisterDto } from './customer-auth.dto';
import { CustomerLoginService } from './customer-login.service';
import { CustomerPasswordService } from './customer-password.service';
import { LoginUnlockService } from './login-unlock.service';
import { echo, validateForm } from './form-errors';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy';
import { RegistrationService } from './registration.service';
import { SessionService } from './session.service';
import { minutesToWait } from './throttle-policy';
import { WriteLimited } from './write-limit.guard';

function passwordMessage(language: Language, reason: string): string {
  switch (reason) {
    case 'tooShort':
      return translate(language, 'identity.error.passwordTooShort', { min: PASSWORD_MIN_LENGTH });
    case 'tooLong':
      return translate(language, 'identity.error.passwordTooLong', { max: PASSWORD_MAX_LENGTH });
    case 'common':
      return translate(language, 'identity.error.passwordCommon');
    case 'emailTaken':
      return translate(language, 'identity.error.emailTaken');
    default:
      return translate(language, 'identity.error.passwordMismatch');
  }
}

const EMPTY_VALUES = { companyId: '', customerCode: '', invoiceNumber: '', amount: '', email: '', identifier: '' };

function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** A page where a password is set through an e-mailed link, and where to start over when the link is dead. */
interface SetPasswordPage {
  form: { titleKey: string; heading: string; lead: string; action: string; submit: string };
  restart: { href: string; label: string };
  doneKey: string;
  endsSession: boolean;
}

const VERIFY_PAGE: SetPasswordPage = {
  form: {
    titleKey: 'identity.verify.title',
    heading: 'identity.verify.title',
    lead: 'identity.verify.lead',
    action: '/register/verify',
    submit: 'identity.verify.submit',
  },
  restart: { href: '/register', label: 'identity.link.registerAgain' },
  doneKey: 'identity.verify.done',
  endsSession: false,
};

const RESET_PAGE: SetPasswordPage = {
  form: {
    titleKey: 'identity.reset.title',
    heading: 'identity.reset.title',
    lead: 'identity.forgot.title',
    action: '/password/reset',
    submit: 'identity.reset.submit',
  },
  restart: { href: '/password/forgot', label: 'identity.link.forgotAgain' },
  doneKey: 'identity.reset.done',
  endsSession: true,
};

/** The customers' identity pages: register, verify, login, logout, password, reset, delete, home. */
@ApiExcludeController()
@Controller()
export class CustomerAuthPages {
  constructor(
    private readonly companies: CompanyDirectory,
    private readonly registration: RegistrationService,
    private readonly logins: CustomerLoginService,
    private readonly passwords: CustomerPasswordService,
    private readonly deletion: AccountDeletionService,
    private readonly sessions: SessionService,
    private readonly unlock: LoginUnlockService,
  ) {}

  private async companyOptions(selected: string) {
    return (await this.companies.list()).map((company) => ({ ...company, selected: String(company.id) === selected }));
  }

  private async page(res: PageReply, view: string, context: Record<string, unknown>, status = 200): Promise<void> {
    const values = { ...EMPTY_VALUES, ...((context.values ?? {}) as Record<string, string>) };
    const { fieldErrors, ...rest } = context;
    res.status(status).render(`identity/${view}`, {
      errors: Object.values((fieldErrors ?? {}) as Record<string, string>),
      companies: await this.companyOptions(values.companyId),
      ...rest,
      values,
    });
  }

  @Get('register')
  @UseGuards(CsrfTokenGuard)
  async registerForm(@Res() res: PageReply) {
    await this.page(res, 'register', { titleKey: 'identity.register.title' });
  }

  @Post('register')
  async register(@Req() req: PageRequest, @Res() res: PageReply, @Body() body: unknown) {
    const language = pageLanguage(res);
    const values = echo(body, ['companyId', 'customerCode', 'invoiceNumber', 'amount', 'email']);
    const { value, errors } = await validateForm(RegisterDto, body, language);
    const amount = errors.amount ? null : parseForintAmount(value.amount);
    if (!errors.amount && amount === null) {
      errors.amount = translate(language, 'identity.error.amount', { field: translate(language, 'identity.field.amount') });
    }
    if (Object.keys(errors).length > 0 || amount === null) {
      return this.page(res, 'register', { titleKey: 'identity.register.title', values, fieldErrors: errors }, 400);
    }
    const result = await this.registration.register({
      companyId: value.companyId,
      customerCode: value.customerCode,
      invoiceNumber: value.invoiceNumber,
      grossAmount: amount,
      email: value.email,
      language,
      ip: req.ip ?? null,
    });
    if (!result.allowed) {
      const message = translate(language, 'identity.error.locked', { minutes: minutesToWait(result.retryAfterSeconds) });
      return this.page(res, 'register', { titleKey: 'identity.register.title', values, flash: { kind: 'error', message } }, 429);
    }
    return this.page(res, 'message', {
      titleKey: 'identity.register.title',
      heading: 'identity.register.title',
      flash: { kind: 'info', message: translate(language, 'identity.register.sent') },
    });
  }

  @Get('register/verify')
  @UseGuards(CsrfTokenGuard)
  async verifyForm(@Query('token') token: unknown, @Res() res: PageReply) {
    if (!(await this.registration.linkIsLive(token))) return this.invalidLink(res, VERIFY_PAGE);
    await this.page(res, 'set-password', { ...VERIFY_PAGE.form, token });
  }

  @Post('register/verify')
  @WriteLimited({ anonymous: 'people' })
  async verify(@Req() req: PageRequest, @Res() res: PageReply, @Body() body: unknown) {
    await this.setPassword(req, res, body, VERIFY_PAGE, (token, password) =>
      this.registration.complete(token, password, pageLanguage(res), req.ip ?? null),
    );
  }

  /** The shared second half of registration and password reset: a password set through an e-mailed link. */
  private async setPassword(
    req: PageRequest,
    res: PageReply,
    body: unknown,
    page: SetPasswordPage,
    complete: (token: string, password: string) => Promise<{ ok: true } | { ok: false; reason: string }>,
  ) {
    const language = pageLanguage(res);
    const token = field(body, 'token');
    const password = field(body, 'password');
    const form = { ...page.form, token };
    if (password !== field(body, 'passwordConfirm')) {
      const fieldErrors = { password: translate(language, 'identity.error.passwordMismatch') };
      return this.page(res, 'set-password', { ...form, fieldErrors }, 400);
    }
    const result = await complete(token, password);
    if (!result.ok && result.reason === 'invalidLink') return this.invalidLink(res, page);
    if (!result.ok)
      return this.page(res, 'set-password', { ...form, fieldErrors: { password: passwordMessage(language, result.reason) } }, 400);
    // A reset ends every session of the customer, this browser's too.
    if (page.endsSession && req.principal) await this.sessions.end(req, res);
    return this.page(res, 'login', {
      titleKey: 'identity.login.title',
      flash: { kind: 'success', message: translate(language, page.doneKey) },
    });
  }

  private invalidLink(res: PageReply, page: SetPasswordPage) {
    return this.page(res, 'invalid-link', { titleKey: 'identity.link.invalidTitle', ...page.restart }, 410);
  }

  @Get('login')
  @UseGuards(CsrfTokenGuard)
  async loginForm(@Res() res: PageReply, @Query('unlocked') unlocked?: string) {
    const flash = unlocked === '1' ? { kind: 'success', message: pageText(res, 'identity.unlock.done') } : undefined;
    await this.page(res, 'login', { titleKey: 'identity.login.title', ...(flash ? { flash } : {}) });
  }

  @Post('login')
  async login(@Req() req: PageRequest, @Res() res: PageReply, @Body() body: unknown) {
    const language = pageLanguage(res);
    const values = echo(body, ['companyId', 'identifier']);
    const { value, errors } = await validateForm(LoginDto, body, language);
    if (Object.keys(errors).length > 0)
      return this.page(res, 'login', { titleKey: 'identity.login.title', values, fieldErrors: errors }, 400);
    const result = await this.logins.login({ ...value, ip: req.ip ?? null, deviceToken: this.unlock.deviceToken(req) });
    if (!result.ok) {
      const message =
        result.reason === 'locked'
          ? translate(language, 'identity.error.locked', { minutes: minutesToWait(result.retryAfterSeconds) })
          : translate(language, 'identity.error.loginFailed');
      return this.page(
        res,
        'login',
        // Locked: the owner may ask for an unlock link to the account's own address (the attacker lacks that mailbox).
        { titleKey: 'identity.login.title', values, flash: { kind: 'error', message }, offerUnlock: result.reason === 'locked' },
        result.reason === 'locked' ? 429 : 401,
      );
    }
    await this.sessions.start(req, res, result.principal);
    const { companyId, customerId } = result.principal;
    await this.unlock.remember(req, res, { kind: 'customer', companyId, id: customerId });
    redirectSeeOther(res, '/');
  }

  @Post('login/unlock')
  async sendUnlockLink(@Req() req: PageRequest, @Res() res: PageReply, @Body() body: unknown) {
    const language = pageLanguage(res);
    const values = echo(body, ['companyId', 'identifier']);
    const companyId = Number(values.companyId);
    const sent =
      Number.isSafeInteger(companyId) && companyId > 0 && values.identifier.trim() !== ''
        ? await this.logins.sendUnlockLink({ companyId, identifier: values.identifier, ip: req.ip ?? null, language })
        : { allowed: true as const };
    const flash = sent.allowed
      ? { kind: 'info', message: translate(language, 'identity.unlock.sent') }
      : { kind: 'error', message: translate(language, 'identity.error.locked', { minutes: minutesToWait(sent.retryAfterSeconds) }) };
    await this.page(res, 'login', { titleKey: 'identity.login.title', values, flash }, sent.allowed ? 200 : 429);
  }

  @Get('login/unlock')
  async unlockLink(@Req() req: PageRequest, @Res() res: PageReply, @Query('token') token: unknown) {
    if (await this.unlock.redeemUnlockLink(token, req, res)) return redirectSeeOther(res, '/login?unlocked=1');
    await this.page(res, 'invalid-link', { titleKey: 'identity.link.invalidTitle', href: '/login', label: 'identity.unlock.again' }, 410);
  }

  @Post('logout')
  async logout(@Req() req: PageRequest, @Res() res: PageReply) {
    await this.sessions.end(req, res);
    redirectSeeOther(res, '/login?loggedOut=1');
  }

  @Get('home')
  @UseGuards(CustomerGuard)
  async home(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply) {
    const profile = await this.logins.profile(customer.companyId, customer.customerId);
    // A session whose account is gone (deleted meanwhile) has no home: 404 as in GET /api/v1/me, not a 500.
    if (!profile) throw new NotFoundException();
    await this.page(res, 'home', { titleKey: 'identity.password.title', profile });
  }

  @Get('password')
  @UseGuards(CustomerGuard)
  async passwordForm(@Res() res: PageReply) {
    await this.page(res, 'password', { titleKey: 'identity.password.title' });
  }

  @Post('password')
  @WriteLimited()
  @UseGuards(CustomerGuard)
  async changePassword(@CurrentCustomer() customer: CustomerRef, @Req() req: PageRequest, @Res() res: PageReply, @Body() body: unknown) {
    const language = pageLanguage(res);
    const ctx = { titleKey: 'identity.password.title' };
    const { value, errors } = await validateForm(ChangePasswordDto, body, language);
    if (!errors.newPassword && field(body, 'newPassword') !== field(body, 'passwordConfirm')) {
      errors.newPassword = translate(language, 'identity.error.passwordMismatch');
    }
    if (Object.keys(errors).length > 0) return this.page(res, 'password', { ...ctx, fieldErrors: errors }, 400);
    const result = await this.passwords.change(customer, value.currentPassword, value.newPassword, req.portalSession?.id, req.ip ?? null);
    if (result.ok)
      return this.page(res, 'password', { ...ctx, flash: { kind: 'success', message: translate(language, 'identity.password.changed') } });
    const message =
      result.reason === 'locked'
        ? translate(language, 'identity.error.locked', { minutes: minutesToWait(result.retryAfterSeconds) })
        : result.reason === 'currentWrong'
          ? translate(language, 'identity.error.currentPasswordWrong')
          : passwordMessage(language, result.reason);
    return this.page(res, 'password', { ...ctx, fieldErrors: { newPassword: message } }, 400);
  }

  @Get('password/forgot')
  @UseGuards(CsrfTokenGuard)
  async forgotForm(@Res() res: PageReply) {
    await this.page(res, 'forgot', { titleKey: 'identity.forgot.title' });
  }

  @Post('password/forgot')
  async forgot(@Req() req: PageRequest, @Res() res: PageReply, @Body() body: unknown) {
    const language = pageLanguage(res);
    const values = echo(body, ['companyId', 'identifier']);
    const { value, errors } = await validateForm(ForgotPasswordDto, body, language);
    if (Object.keys(errors).length > 0)
      return this.page(res, 'forgot', { titleKey: 'identity.forgot.title', values, fieldErrors: errors }, 400);
    const result = await this.passwords.requestReset({ ...value, language, ip: req.ip ?? null });
    if (!result.allowed) {
      const message = translate(language, 'identity.error.locked', { minutes: minutesToWait(result.retryAfterSeconds) });
      return this.page(res, 'forgot', { titleKey: 'identity.forgot.title', values, flash: { kind: 'error', message } }, 429);
    }
    return this.page(res, 'message', {
      titleKey: 'identity.forgot.title',
      heading: 'identity.forgot.title',
      flash: { kind: 'info', message: translate(language, 'identity.forgot.sent') },
    });
  }

  @Get('password/reset')
  @UseGuards(CsrfTokenGuard)
  async resetForm(@Query('token') token: unknown, @Res() res: PageReply) {
    if (!(await this.passwords.resetLinkIsLive(token))) return this.invalidLink(res, RESET_PAGE);
    await this.page(res, 'set-password', { ...RESET_PAGE.form, token });
  }

  @Post('password/reset')
  @WriteLimited({ anonymous: 'people' })
  async reset(@Req() req: PageRequest, @Res() res: PageReply, @Body() body: unknown) {
    await this.setPassword(req, res, body, RESET_PAGE, (token, password) => this.passwords.completeReset(token, password, req.ip ?? null));
  }

  @Get('account/delete')
  @UseGuards(CustomerGuard)
  async deleteForm(@Res() res: PageReply) {
    await this.page(res, 'delete', { titleKey: 'identity.delete.title' });
  }

  @Post('account/delete')
  @WriteLimited()
  @UseGuards(CustomerGuard)
  async delete(@CurrentCustomer() customer: CustomerRef, @Req() req: PageRequest, @Res() res: PageReply, @Body() body: unknown) {
    const language = pageLanguage(res);
    const { value, errors } = await validateForm(DeleteAccountDto, body, language);
    if (Object.keys(errors).length > 0) return this.page(res, 'delete', { titleKey: 'identity.delete.title', fieldErrors: errors }, 400);
    const result = await this.deletion.delete(customer, value.password, req.ip ?? null);
    if (!result.ok) {
      const message =
        result.reason === 'locked'
          ? translate(language, 'identity.error.locked', { minutes: minutesToWait(result.retryAfterSeconds) })
          : translate(language, 'identity.error.passwordWrong');
      return this.page(res, 'delete', { titleKey: 'identity.delete.title', fieldErrors: { password: message } }, 400);
    }
    await this.sessions.end(req, res);
    return this.page(res, 'message', {
      titleKey: 'identity.delete.title',
      heading: 'identity.delete.title',
      flash: { kind: 'success', message: translate(language, 'identity.delete.done') },
    });
  }
}
