import {
  ArgumentsHost,
  Body,
  Catch,
  Controller,
  ExceptionFilter,
  Get,
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
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { isClerkRole, roleAtLeast, totpRequiredFor } from '../identity/clerk-roles';
import { CLERK_ROLES, ClerkRole } from '../identity/clerk.entity';
import { ClerkAuthService, ClerkIdentity, ClerkLoginResult } from '../identity/clerk-auth.service';
import { ClerkAction, ClerkChangeResult, ClerkService, ClerkView } from '../identity/clerk.service';
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

/** The page path (under /backoffice/clerks/:id/) of each admin action on a clerk; its texts are `backoffice.clerks.*.<action>`. */
const ACTION_PATHS: Readonly<Record<ClerkAction, string>> = {
  resetTotp: 'totp/reset',
  deactivate: 'deactivate',
  reactivate: 'reactivate',
  changeRole: 'role',
};

function isAction(value: unknown): value is ClerkAction {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ACTION_PATHS, value);
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
  async clerksPage(
    @Clerk() clerk: ClerkIdentity,
    @Res() res: Response,
    @Query() query: { done?: unknown; clerk?: unknown },
  ): Promise<void> {
    await this.renderClerks(clerk, res, 200, { done: { action: query?.done, clerkId: Number(query?.clerk) } });
  }

  @Post('clerks/:id/totp/reset')
  @UseGuards(BackofficeGuard)
  async resetTotp(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: unknown,
  ): Promise<void> {
    await this.administer(clerk, id, 'resetTotp', req, res, body);
  }

  @Post('clerks/:id/deactivate')
  @UseGuards(BackofficeGuard)
  async deactivate(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: unknown,
  ): Promise<void> {
    await this.administer(clerk, id, 'deactivate', req, res, body);
  }

  @Post('clerks/:id/reactivate')
  @UseGuards(BackofficeGuard)
  async reactivate(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: unknown,
  ): Promise<void> {
    await this.administer(clerk, id, 'reactivate', req, res, body);
  }

  @Post('clerks/:id/role')
  @UseGuards(BackofficeGuard)
  async changeRole(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
    @Body() body: unknown,
  ): Promise<void> {
    await this.administer(clerk, id, 'changeRole', req, res, body);
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
      // Admins must always have one; anyone else must because an admin reset theirs.
      requiredKey: totpRequiredFor(clerk.role) ? 'backoffice.totp.required' : 'backoffice.totp.requiredAfterReset',
      secretGroups: enrolment.secret.match(/.{1,4}/g)?.join(' ') ?? enrolment.secret,
      uri: enrolment.uri,
    });
  }

  /**
   * An admin action from a row of the clerks page. The row's form asks first: without
   * `confirm=yes` the answer is a page saying what will happen, whose form sends it again
   * confirmed. The service decides; a refusal shows on the clerks page with its reason.
   */
  private async administer(
    clerk: ClerkIdentity,
    id: number,
    action: ClerkAction,
    req: Request,
    res: Response,
    body: unknown,
  ): Promise<void> {
    const form = (typeof body === 'object' && body !== null ? body : {}) as { confirm?: unknown; role?: unknown };
    const role = form.role;
    if (action === 'changeRole' && !isClerkRole(role)) {
      return this.renderClerks(clerk, res, 400, { errors: [t(res, 'backoffice.error.field.role')] });
    }
    const newRole = isClerkRole(role) ? role : undefined;
    if (form.confirm !== 'yes') return this.renderConfirmation(clerk, id, action, newRole, res);
    const actor = actorOf(clerk);
    const ip = req.ip ?? null;
    const result: ClerkChangeResult =
      action === 'resetTotp'
        ? await this.clerks.resetTotp(actor, id, ip)
        : action === 'deactivate'
          ? await this.clerks.deactivate(actor, id, ip)
          : action === 'reactivate'
            ? await this.clerks.reactivate(actor, id, ip)
            : await this.clerks.changeRole(actor, id, newRole ?? 'clerk', ip);
    if (result.kind === 'changed' || result.kind === 'unchanged') {
      const done = result.kind === 'changed' ? action : 'unchanged';
      return res.redirect(303, `/backoffice/clerks?${new URLSearchParams({ done, clerk: String(id) }).toString()}`);
    }
    await this.renderRefusal(clerk, res, action, result.kind);
  }

  private async renderConfirmation(
    clerk: ClerkIdentity,
    id: number,
    action: ClerkAction,
    role: ClerkRole | undefined,
    res: Response,
  ): Promise<void> {
    // The service's list answers only admins, and only with their own company's clerks.
    const list = await this.clerks.list(actorOf(clerk));
    if (list === null) return this.renderRefusal(clerk, res, action, 'forbidden');
    const target = list.find((c) => c.id === id);
    if (!target) return this.renderRefusal(clerk, res, action, 'notFound');
    if (action === 'changeRole' && role === target.role) {
      return res.redirect(303, `/backoffice/clerks?${new URLSearchParams({ done: 'unchanged', clerk: String(id) }).toString()}`);
    }
    const key = `backoffice.clerks.confirm.${action}`;
    const params = {
      name: target.name,
      email: target.email,
      from: t(res, `backoffice.role.${target.role}`),
      to: role ? t(res, `backoffice.role.${role}`) : '',
    };
    // A new admin without a second factor will be sent to enrolment at the next login.
    const mustEnrol = action === 'changeRole' && role === 'admin' && !target.totpEnrolled;
    res.status(200).render('backoffice/clerk-confirm', {
      titleKey: `${key}.title`,
      question: t(res, `${key}.question`, params),
      consequences: [t(res, `${key}.consequence`, params), ...(mustEnrol ? [t(res, 'backoffice.clerks.confirm.changeRole.enrol')] : [])],
      action: `/backoffice/clerks/${target.id}/${ACTION_PATHS[action]}`,
      role: role ?? '',
      confirmLabel: t(res, `${key}.button`),
    });
  }

  private async renderRefusal(
    clerk: ClerkIdentity,
    res: Response,
    action: ClerkAction,
    kind: Exclude<ClerkChangeResult, { kind: 'changed' | 'unchanged' }>['kind'],
  ): Promise<void> {
    if (kind === 'forbidden') {
      res.status(403).render('web/error', { status: 403, titleKey: 'error.request.title', textKey: 'error.request.text' });
      return;
    }
    const status = kind === 'notFound' ? 404 : 409;
    const message = kind === 'self' ? t(res, `backoffice.clerks.refused.self.${action}`) : t(res, `backoffice.clerks.refused.${kind}`);
    await this.renderClerks(clerk, res, status, { errors: [message] });
  }

  private async renderClerks(
    clerk: ClerkIdentity,
    res: Response,
    status: number,
    extra: { form?: { name: string; email: string; role: string }; errors?: string[]; done?: { action: unknown; clerkId: number } },
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
      ...this.doneFlash(res, list, extra.done),
      clerks: list.map((c) => this.clerkRow(clerk, c)),
      form: { name: form.name, email: form.email },
      roles: CLERK_ROLES.map((role) => ({ value: role, labelKey: `backoffice.role.${role}`, selected: role === form.role })),
    });
  }

  /** A row of the clerks table with the actions the admin may take on it (none on the own row). */
  private clerkRow(admin: ClerkIdentity, c: ClerkView) {
    const self = c.id === admin.clerkId;
    return {
      id: c.id,
      name: c.name,
      email: c.email,
      roleKey: `backoffice.role.${c.role}`,
      statusKey: c.active ? 'backoffice.clerks.status.active' : 'backoffice.clerks.status.inactive',
      totpKey: c.totpEnrolled ? 'backoffice.yes' : c.totpRequired ? 'backoffice.clerks.totpPending' : 'backoffice.no',
      self,
      canResetTotp: !self && c.totpEnrolled,
      canDeactivate: !self && c.active,
      canReactivate: !self && !c.active,
      roles: CLERK_ROLES.map((role) => ({ value: role, labelKey: `backoffice.role.${role}`, selected: role === c.role })),
    };
  }

  /** The success message after an action's redirect (`?done=<action>&clerk=<id>`); nothing for anything else. */
  private doneFlash(res: Response, list: ClerkView[], done: { action: unknown; clerkId: number } | undefined) {
    const target = done ? list.find((c) => c.id === done.clerkId) : undefined;
    if (!done || !target || !(isAction(done.action) || done.action === 'unchanged')) return {};
    const key = done.action === 'unchanged' ? 'unchanged' : done.action;
    const message = t(res, `backoffice.clerks.done.${key}`, { name: target.name, role: t(res, `backoffice.role.${target.role}`) });
    return { flash: { kind: done.action === 'unchanged' ? 'info' : 'success', message } };
  }
}
