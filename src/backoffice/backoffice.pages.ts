import { ArgumentsHost, Body, Catch, Controller, ExceptionFilter, Get, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { roleAtLeast } from '../identity/clerk-roles';
import { CLERK_ROLES } from '../identity/clerk.entity';
import { ClerkAuthService, ClerkIdentity, ClerkLoginResult } from '../identity/clerk-auth.service';
import { ClerkService } from '../identity/clerk.service';
import { Company } from '../identity/company.entity';
import { SecurityAuditService } from '../identity/security-audit.service';
import { SessionService } from '../identity/session.service';
import { formatDate } from '../web/format';
import { isLanguage, Language, translate } from '../web/i18n';
import { actorOf } from './backoffice.controller';
import { AllowWithoutTotp, BackofficeGuard, Clerk, ClerkLoginRequired, TotpEnrolmentRequired } from './backoffice.guard';
import { ClerkLoginDto, CreateClerkDto, SecurityEventsQueryDto } from './backoffice.dto';
import { minutesToWait } from '../identity/throttle-policy';

/** Pages send the browser to the login or the enrolment page instead of showing an error. */
@Catch(ClerkLoginRequired, TotpEnrolmentRequired)
export class BackofficeRedirectFilter implements ExceptionFilter {
  catch(exception: ClerkLoginRequired | TotpEnrolmentRequired, host: ArgumentsHost): void {
    host
      .switchToHttp()
      .getResponse<Response>()
      .redirect(303, exception instanceof TotpEnrolmentRequired ? '/backoffice/totp' : '/backoffice/login');
  }
}

function lang(res: Response): Language {
  const value: unknown = res.locals.lang;
  return isLanguage(value) ? value : 'hu';
}

function t(res: Response, key: string, params?: Record<string, unknown>): string {
  return translate(lang(res), key, params);
}

/** Field problems of a form DTO as translated messages, one per field (the pages show them above the form). */
async function formErrors<T extends object>(res: Response, cls: new () => T, body: unknown): Promise<{ value: T; errors: string[] }> {
  const value = plainToInstance(cls, typeof body === 'object' && body !== null ? body : {});
  const problems = await validate(value, { whitelist: true });
  const errors = problems.map((problem) => t(res, `backoffice.error.field.${problem.property}`));
  return { value, errors };
}

const TIME = new Intl.DateTimeFormat('hu-HU', {
  timeZone: 'Europe/Budapest',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** The back office's pages: login with a second factor, home, TOTP enrolment, clerks, security events. */
@ApiExcludeController()
@Controller('backoffice')
@UseFilters(BackofficeRedirectFilter)
export class BackofficePages {
  constructor(
    private readonly auth: ClerkAuthService,
    private readonly clerks: ClerkService,
    private readonly audit: SecurityAuditService,
    private readonly sessions: SessionService,
    private readonly dataSource: DataSource,
  ) {}

  @Get('login')
  async loginPage(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (req.principal?.kind === 'clerk') return res.redirect(303, '/backoffice');
    await this.renderLogin(req, res, 200, {});
  }

  @Post('login')
  async login(@Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const { value, errors } = await formErrors(res, ClerkLoginDto, body);
    if (errors.length > 0) return this.renderLogin(req, res, 400, { company: value.company, email: value.email, errors });
    const result = await this.auth.login({ companyCode: value.company, email: value.email, password: value.password, ip: req.ip ?? null });
    if (result.kind === 'totpRequired') {
      await this.ensureSession(req, res);
      return res.status(200).render('backoffice/login-totp', { titleKey: 'backoffice.login.title', pendingToken: result.pendingToken });
    }
    await this.finishLogin(req, res, result, { company: value.company, email: value.email });
  }

  @Post('login/totp')
  async loginTotp(@Req() req: Request, @Res() res: Response, @Body() body: { pending?: unknown; code?: unknown }): Promise<void> {
    const pending = typeof body?.pending === 'string' ? body.pending : '';
    const code = typeof body?.code === 'string' ? body.code : '';
    const result = await this.auth.completeTotp(pending, code, req.ip ?? null);
    if (result.kind === 'invalid' && pending) {
      // A wrong code keeps the step (the pending login is still there until it expires).
      return res.status(401).render('backoffice/login-totp', {
        titleKey: 'backoffice.login.title',
        pendingToken: pending,
        errors: [t(res, 'backoffice.login.badCode')],
      });
    }
    await this.finishLogin(req, res, result, {});
  }

  @Post('logout')
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  async logout(@Clerk() clerk: ClerkIdentity, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.sessions.end(req, res);
    await this.auth.recordLogout(clerk.companyId, clerk.clerkId, req.ip ?? null);
    res.redirect(303, '/backoffice/login');
  }

  @Get()
  @UseGuards(BackofficeGuard)
  async home(@Clerk() clerk: ClerkIdentity, @Res() res: Response): Promise<void> {
    const company = await this.dataSource.manager.findOneByOrFail(Company, { id: clerk.companyId });
    res.render('backoffice/home', {
      titleKey: 'backoffice.home.title',
      clerk: { name: clerk.name, roleKey: `backoffice.role.${clerk.role}` },
      companyName: company.name,
      canSeeClerks: roleAtLeast(clerk.role, 'admin'),
      canSeeEvents: roleAtLeast(clerk.role, 'supervisor'),
    });
  }

  @Get('totp')
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  async totpPage(@Clerk() clerk: ClerkIdentity, @Res() res: Response): Promise<void> {
    await this.renderTotp(clerk, res, 200, []);
  }

  @Post('totp')
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  async confirmTotp(
    @Clerk() clerk: ClerkIdentity,
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: { code?: unknown },
  ): Promise<void> {
    const code = typeof body?.code === 'string' ? body.code : '';
    if (await this.auth.confirmTotpEnrolment(clerk.companyId, clerk.clerkId, code, req.ip ?? null)) {
      return res.redirect(303, '/backoffice?totp=enrolled');
    }
    await this.renderTotp(clerk, res, 400, [t(res, 'backoffice.totp.badCode')]);
  }

  @Get('clerks')
  @UseGuards(BackofficeGuard)
  async clerksPage(@Clerk() clerk: ClerkIdentity, @Res() res: Response): Promise<void> {
    await this.renderClerks(clerk, res, 200, {});
  }

  @Post('clerks')
  @UseGuards(BackofficeGuard)
  async createClerk(@Clerk() clerk: ClerkIdentity, @Req() req: Request, @Res() res: Response, @Body() body: unknown): Promise<void> {
    const { value, errors } = await formErrors(res, CreateClerkDto, body);
    const form = { name: value.name ?? '', email: value.email ?? '', role: value.role ?? 'clerk' };
    if (errors.length > 0) return this.renderClerks(clerk, res, 400, { form, errors });
    const result = await this.clerks.create(actorOf(clerk), value, req.ip ?? null);
    if (result.kind === 'created') return res.redirect(303, '/backoffice/clerks?created=1');
    const status = result.kind === 'forbidden' ? 403 : result.kind === 'emailTaken' ? 409 : 400;
    const message =
      result.kind === 'weakPassword' ? t(res, `backoffice.clerks.password.${result.problem}`) : t(res, `backoffice.clerks.${result.kind}`);
    await this.renderClerks(clerk, res, status, { form, errors: [message] });
  }

  @Get('security-events')
  @UseGuards(BackofficeGuard)
  async eventsPage(@Clerk() clerk: ClerkIdentity, @Res() res: Response, @Query() query: unknown): Promise<void> {
    const { value, errors } = await formErrors(res, SecurityEventsQueryDto, query);
    const filter = errors.length === 0 ? value : new SecurityEventsQueryDto();
    const page = await this.audit.list(clerk, { actorKind: filter.actorKind, before: filter.before, limit: 50 });
    if (!page) {
      return res.status(403).render('web/error', { status: 403, titleKey: 'error.request.title', textKey: 'error.request.text' });
    }
    const kind = filter.actorKind ?? '';
    res.status(errors.length > 0 ? 400 : 200).render('backoffice/security-events', {
      titleKey: 'backoffice.events.title',
      errors,
      kinds: [
        { value: '', labelKey: 'backoffice.events.kind.all', selected: kind === '' },
        { value: 'customer', labelKey: 'backoffice.events.kind.customer', selected: kind === 'customer' },
        { value: 'clerk', labelKey: 'backoffice.events.kind.clerk', selected: kind === 'clerk' },
      ],
      events: page.items.map((event) => ({
        id: event.id,
        at: `${formatDate(event.createdAt)} ${TIME.format(event.createdAt)}`,
        actorKey: `backoffice.events.kind.${event.actorKind}`,
        actorId: event.actorId === null ? '–' : String(event.actorId),
        eventKey: `backoffice.event.${event.event}`,
        ip: event.ip ?? '–',
        detail: event.detail ?? '',
      })),
      nextHref: page.nextCursor
        ? `/backoffice/security-events?${new URLSearchParams({ ...(kind ? { actorKind: kind } : {}), before: page.nextCursor }).toString()}`
        : '',
    });
  }

  private async renderLogin(
    req: Request,
    res: Response,
    status: number,
    form: { company?: string; email?: string; errors?: string[] },
  ): Promise<void> {
    await this.ensureSession(req, res);
    const companies = await this.dataSource.manager.find(Company, { order: { name: 'ASC' } });
    res.status(status).render('backoffice/login', {
      titleKey: 'backoffice.login.title',
      email: form.email ?? '',
      errors: form.errors ?? [],
      companies: companies.map((company) => ({ code: company.code, name: company.name, selected: company.code === form.company })),
    });
  }

  private async finishLogin(
    req: Request,
    res: Response,
    result: ClerkLoginResult,
    form: { company?: string; email?: string },
  ): Promise<void> {
    if (result.kind === 'ok') {
      const c = result.clerk;
      await this.sessions.start(req, res, { kind: 'clerk', companyId: c.companyId, clerkId: c.clerkId, name: c.name, role: c.role });
      return res.redirect(303, c.mustEnrolTotp ? '/backoffice/totp' : '/backoffice');
    }
    const message =
      result.kind === 'locked'
        ? t(res, 'backoffice.login.locked', { minutes: minutesToWait(result.retryAfterSeconds) })
        : t(res, 'backoffice.login.invalid');
    if (result.kind === 'locked') res.setHeader('Retry-After', String(result.retryAfterSeconds));
    await this.renderLogin(req, res, result.kind === 'locked' ? 429 : 401, { ...form, errors: [message] });
  }

  /** Forms need a CSRF token, which lives in a (possibly anonymous) session. */
  private async ensureSession(req: Request, res: Response): Promise<void> {
    if (!req.portalSession || req.portalSession.via !== 'cookie') await this.sessions.startAnonymous(req, res);
  }

  private async renderTotp(clerk: ClerkIdentity, res: Response, status: number, errors: string[]): Promise<void> {
    const enrolment = await this.auth.startTotpEnrolment(clerk.companyId, clerk.clerkId);
    if (!enrolment) throw new ClerkLoginRequired();
    if (enrolment === 'alreadyEnrolled') {
      return res.status(status).render('backoffice/totp', { titleKey: 'backoffice.totp.title', errors, required: false, enrolled: true });
    }
    res.status(status).render('backoffice/totp', {
      titleKey: 'backoffice.totp.title',
      errors,
      enrolled: false,
      required: clerk.mustEnrolTotp,
      secretGroups: enrolment.secret.match(/.{1,4}/g)?.join(' ') ?? enrolment.secret,
      uri: enrolment.uri,
    });
  }

  private async renderClerks(
    clerk: ClerkIdentity,
    res: Response,
    status: number,
    extra: { form?: { name: string; email: string; role: string }; errors?: string[] },
  ): Promise<void> {
    const list = await this.clerks.list(actorOf(clerk));
    if (list === null) {
      res.status(403).render('web/error', { status: 403, titleKey: 'error.request.title', textKey: 'error.request.text' });
      return;
    }
    const form = extra.form ?? { name: '', email: '', role: 'clerk' };
    res.status(status).render('backoffice/clerks', {
      titleKey: 'backoffice.clerks.title',
      errors: extra.errors ?? [],
      clerks: list.map((c) => ({
        name: c.name,
        email: c.email,
        roleKey: `backoffice.role.${c.role}`,
        totpKey: c.totpEnrolled ? 'backoffice.yes' : 'backoffice.no',
      })),
      form: { name: form.name, email: form.email },
      roles: CLERK_ROLES.map((role) => ({ value: role, labelKey: `backoffice.role.${role}`, selected: role === form.role })),
    });
  }
}
