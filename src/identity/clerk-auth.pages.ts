import { Body, Controller, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, PageRequest, redirectSeeOther } from '../web/http';
import QRCode from 'qrcode';
import { DataSource } from 'typeorm';
import { BackofficeRedirectFilter, ClerkLoginRequired } from '../web/backoffice-redirect.filter';
import { pageLanguage, pageText as t } from '../web/page-text';
import { ClerkAuthService, ClerkIdentity, ClerkLoginResult } from './clerk-auth.service';
import { ClerkLoginDto } from './clerk.dto';
import { AllowWithoutTotp, BackofficeGuard, Clerk } from './clerk.guard';
import { Company } from './company.entity';
import { backofficeFormErrors as formErrors } from './form-errors';
import { SessionService } from './session.service';
import { LoginUnlockService } from './login-unlock.service';
import { minutesToWait } from './throttle-policy';
import { WriteLimited } from './write-limit.guard';

/** The back office's pages every clerk uses: login with a second factor, logout, TOTP enrolment. */
@ApiExcludeController()
@Controller('backoffice')
@UseFilters(BackofficeRedirectFilter)
export class ClerkAuthPages {
  constructor(
    private readonly auth: ClerkAuthService,
    private readonly sessions: SessionService,
    private readonly dataSource: DataSource,
    private readonly unlock: LoginUnlockService,
  ) {}

  @Get('login')
  async loginPage(@Req() req: PageRequest, @Res() res: PageReply, @Query('unlocked') unlocked?: string): Promise<void> {
    if (req.principal?.kind === 'clerk') return redirectSeeOther(res, '/backoffice');
    const flash = unlocked === '1' ? { kind: 'success', message: t(res, 'identity.unlock.done') } : undefined;
    await this.renderLogin(req, res, 200, { flash });
  }

  @Post('login/unlock')
  async sendUnlockLink(
    @Req() req: PageRequest,
    @Res() res: PageReply,
    @Body() body: { company?: unknown; email?: unknown },
  ): Promise<void> {
    const company = typeof body?.company === 'string' ? body.company.slice(0, 40) : '';
    const email = typeof body?.email === 'string' ? body.email.slice(0, 254) : '';
    const sent =
      company && email
        ? await this.auth.sendUnlockLink({ companyCode: company, email, ip: req.ip ?? null, language: pageLanguage(res) })
        : { allowed: true as const };
    if (!sent.allowed) {
      const message = t(res, 'identity.backoffice.login.locked', { minutes: minutesToWait(sent.retryAfterSeconds) });
      return this.renderLogin(req, res, 429, { company, email, errors: [message] });
    }
    await this.renderLogin(req, res, 200, { company, email, flash: { kind: 'info', message: t(res, 'identity.unlock.sent') } });
  }

  @Get('login/unlock')
  async unlockLink(@Req() req: PageRequest, @Res() res: PageReply, @Query('token') token: unknown): Promise<void> {
    if (await this.unlock.redeemUnlockLink(token, req, res)) return redirectSeeOther(res, '/backoffice/login?unlocked=1');
    res.status(410).render('identity/invalid-link', {
      titleKey: 'identity.link.invalidTitle',
      href: '/backoffice/login',
      label: 'identity.unlock.again',
    });
  }

  @Post('login')
  async login(@Req() req: PageRequest, @Res() res: PageReply, @Body() body: unknown): Promise<void> {
    const { value, errors } = await formErrors(res, ClerkLoginDto, body);
    if (errors.length > 0) return this.renderLogin(req, res, 400, { company: value.company, email: value.email, errors });
    const result = await this.auth.login({
      companyCode: value.company,
      email: value.email,
      password: value.password,
      ip: req.ip ?? null,
      deviceToken: this.unlock.deviceToken(req),
    });
    if (result.kind === 'totpRequired') {
      await this.ensureSession(req, res);
      return res
        .status(200)
        .render('identity/backoffice/login-totp', { titleKey: 'identity.backoffice.login.title', pendingToken: result.pendingToken });
    }
    await this.finishLogin(req, res, result, { company: value.company, email: value.email });
  }

  @Post('login/totp')
  async loginTotp(@Req() req: PageRequest, @Res() res: PageReply, @Body() body: { pending?: unknown; code?: unknown }): Promise<void> {
    const pending = typeof body?.pending === 'string' ? body.pending : '';
    const code = typeof body?.code === 'string' ? body.code : '';
    const result = await this.auth.completeTotp(pending, code, req.ip ?? null);
    if (result.kind === 'invalid' && pending) {
      // A wrong code keeps the step (the pending login is still there until it expires).
      return res.status(401).render('identity/backoffice/login-totp', {
        titleKey: 'identity.backoffice.login.title',
        pendingToken: pending,
        errors: [t(res, 'identity.backoffice.login.badCode')],
      });
    }
    await this.finishLogin(req, res, result, {});
  }

  @Post('logout')
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  async logout(@Clerk() clerk: ClerkIdentity, @Req() req: PageRequest, @Res() res: PageReply): Promise<void> {
    await this.sessions.end(req, res);
    await this.auth.recordLogout(clerk.companyId, clerk.clerkId, req.ip ?? null);
    redirectSeeOther(res, '/backoffice/login');
  }

  @Get('totp')
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  async totpPage(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply): Promise<void> {
    await this.renderTotp(clerk, res, 200, []);
  }

  @Post('totp')
  @WriteLimited()
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  async confirmTotp(
    @Clerk() clerk: ClerkIdentity,
    @Req() req: PageRequest,
    @Res() res: PageReply,
    @Body() body: { code?: unknown },
  ): Promise<void> {
    const code = typeof body?.code === 'string' ? body.code : '';
    if (await this.auth.confirmTotpEnrolment(clerk.companyId, clerk.clerkId, code, req.ip ?? null)) {
      // A fresh session: none started before the second factor outlives it (nor its id).
      const principal = req.principal;
      await this.sessions.endAllFor({ kind: 'clerk', companyId: clerk.companyId, id: clerk.clerkId });
      if (principal) await this.sessions.start(req, res, principal);
      return redirectSeeOther(res, '/backoffice?totp=enrolled');
    }
    await this.renderTotp(clerk, res, 400, [t(res, 'identity.backoffice.totp.badCode')]);
  }

  private async renderLogin(
    req: PageRequest,
    res: PageReply,
    status: number,
    form: { company?: string; email?: string; errors?: string[]; flash?: { kind: string; message: string }; offerUnlock?: boolean },
  ): Promise<void> {
    await this.ensureSession(req, res);
    const companies = await this.dataSource.manager.find(Company, { order: { name: 'ASC' } });
    res.status(status).render('identity/backoffice/login', {
      titleKey: 'identity.backoffice.login.title',
      email: form.email ?? '',
      company: form.company ?? '',
      errors: form.errors ?? [],
      ...(form.flash ? { flash: form.flash } : {}),
      // Locked: the owner may ask for an unlock link to the account's own address (the attacker lacks that mailbox).
      offerUnlock: (form.offerUnlock ?? false) && Boolean(form.company && form.email),
      companies: companies.map((company) => ({ code: company.code, name: company.name, selected: company.code === form.company })),
    });
  }

  private async finishLogin(
    req: PageRequest,
    res: PageReply,
    result: ClerkLoginResult,
    form: { company?: string; email?: string },
  ): Promise<void> {
    if (result.kind === 'ok') {
      const c = result.clerk;
      await this.sessions.start(req, res, { kind: 'clerk', companyId: c.companyId, clerkId: c.clerkId, name: c.name, role: c.role });
      await this.unlock.remember(req, res, { kind: 'clerk', companyId: c.companyId, id: c.clerkId });
      return redirectSeeOther(res, c.mustEnrolTotp ? '/backoffice/totp' : '/backoffice');
    }
    const message =
      result.kind === 'locked'
        ? t(res, 'identity.backoffice.login.locked', { minutes: minutesToWait(result.retryAfterSeconds) })
        : t(res, 'identity.backoffice.login.invalid');
    if (result.kind === 'locked') res.header('Retry-After', String(result.retryAfterSeconds));
    await this.renderLogin(req, res, result.kind === 'locked' ? 429 : 401, {
      ...form,
      errors: [message],
      offerUnlock: result.kind === 'locked',
    });
  }

  /** Forms need a CSRF token, which lives in a (possibly anonymous) session. */
  private async ensureSession(req: PageRequest, res: PageReply): Promise<void> {
    if (!req.portalSession || req.portalSession.via !== 'cookie') await this.sessions.startAnonymous(req, res);
  }

  private async renderTotp(clerk: ClerkIdentity, res: PageReply, status: number, errors: string[]): Promise<void> {
    const enrolment = await this.auth.startTotpEnrolment(clerk.companyId, clerk.clerkId);
    if (!enrolment) throw new ClerkLoginRequired();
    if (enrolment === 'alreadyEnrolled') {
      return res
        .status(status)
        .render('identity/backoffice/totp', { titleKey: 'identity.backoffice.totp.title', errors, required: false, enrolled: true });
    }
    res.status(status).render('identity/backoffice/totp', {
      titleKey: 'identity.backoffice.totp.title',
      errors,
      enrolled: false,
      required: clerk.mustEnrolTotp,
      secretGroups: enrolment.secret.match(/.{1,4}/g)?.join(' ') ?? enrolment.secret,
      uri: enrolment.uri,
      // An SVG in a data: URL (the CSP allows data: images), so the secret never leaves the page.
      qrSrc: `data:image/svg+xml;base64,${Buffer.from(await QRCode.toString(enrolment.uri, { type: 'svg', margin: 2 })).toString('base64')}`,
    });
  }
}
