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
import { formatDate } from '../web/format';
import { pageText as t } from '../web/page-text';
import { actorOf } from './clerk-admin.controller';
import { ClerkIdentity } from './clerk-auth.service';
import { backofficeFormErrors as formErrors } from './form-errors';
import { CLERK_ACTION_PATHS, clerkActionOfPath, CreateClerkDto, SecurityEventsQueryDto } from './clerk.dto';
import { CLERK_ROLES, ClerkRole } from './clerk.entity';
import { BackofficeGuard, Clerk } from './clerk.guard';
import { isClerkRole } from './clerk-roles';
import { ClerkAction, ClerkChangeResult, ClerkService, ClerkView } from './clerk.service';
import { SecurityAuditService } from './security-audit.service';
import { WriteLimited } from './write-limit.guard';

function isAction(value: unknown): value is ClerkAction {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CLERK_ACTION_PATHS, value);
}

const TIME = new Intl.DateTimeFormat('hu-HU', {
  timeZone: 'Europe/Budapest',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
});

/** The back office's pages for admins and supervisors: clerks and their administration, security events. */
@ApiExcludeController()
@Controller('backoffice')
@UseFilters(BackofficeRedirectFilter)
export class ClerkAdminPages {
  constructor(
    private readonly clerks: ClerkService,
    private readonly audit: SecurityAuditService,
  ) {}

  @Get('clerks')
  @UseGuards(BackofficeGuard)
  async clerksPage(
    @Clerk() clerk: ClerkIdentity,
    @Res() res: PageReply,
    @Query() query: { done?: unknown; clerk?: unknown },
  ): Promise<void> {
    await this.renderClerks(clerk, res, 200, { done: { action: query?.done, clerkId: Number(query?.clerk) } });
  }

  @Post('clerks/:id/:action')
  @WriteLimited()
  @UseGuards(BackofficeGuard)
  async administerPage(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Param('action') path: string,
    @Req() req: PageRequest,
    @Res() res: PageReply,
    @Body() body: unknown,
  ): Promise<void> {
    const action = clerkActionOfPath(path);
    if (!action) throw new NotFoundException();
    await this.administer(clerk, id, action, req, res, body);
  }

  @Post('clerks')
  @WriteLimited()
  @UseGuards(BackofficeGuard)
  async createClerk(@Clerk() clerk: ClerkIdentity, @Req() req: PageRequest, @Res() res: PageReply, @Body() body: unknown): Promise<void> {
    const { value, errors } = await formErrors(res, CreateClerkDto, body);
    const form = { name: value.name ?? '', email: value.email ?? '', role: value.role ?? 'clerk' };
    if (errors.length > 0) return this.renderClerks(clerk, res, 400, { form, errors });
    const result = await this.clerks.create(actorOf(clerk), value, req.ip ?? null);
    if (result.kind === 'created') return redirectSeeOther(res, '/backoffice/clerks?created=1');
    const status = result.kind === 'forbidden' ? 403 : result.kind === 'emailTaken' ? 409 : 400;
    const message =
      result.kind === 'weakPassword'
        ? t(res, `identity.backoffice.clerks.password.${result.problem}`)
        : t(res, `identity.backoffice.clerks.${result.kind}`);
    await this.renderClerks(clerk, res, status, { form, errors: [message] });
  }

  @Get('security-events')
  @UseGuards(BackofficeGuard)
  async eventsPage(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Query() query: unknown): Promise<void> {
    const { value, errors } = await formErrors(res, SecurityEventsQueryDto, query);
    const filter = errors.length === 0 ? value : new SecurityEventsQueryDto();
    const page = await this.audit.list(clerk, { actorKind: filter.actorKind, before: filter.before, limit: 50 });
    if (!page) {
      return res.status(403).render('web/error', { status: 403, titleKey: 'error.request.title', textKey: 'error.request.text' });
    }
    const kind = filter.actorKind ?? '';
    res.status(errors.length > 0 ? 400 : 200).render('identity/backoffice/security-events', {
      titleKey: 'identity.backoffice.events.title',
      errors,
      kinds: [
        { value: '', labelKey: 'identity.backoffice.events.kind.all', selected: kind === '' },
        { value: 'customer', labelKey: 'identity.backoffice.events.kind.customer', selected: kind === 'customer' },
        { value: 'clerk', labelKey: 'identity.backoffice.events.kind.clerk', selected: kind === 'clerk' },
      ],
      events: page.items.map((event) => ({
        id: event.id,
        at: `${formatDate(event.createdAt)} ${TIME.format(event.createdAt)}`,
        actorKey: `identity.backoffice.events.kind.${event.actorKind}`,
        actorId: event.actorId === null ? '–' : String(event.actorId),
        eventKey: `identity.backoffice.event.${event.event}`,
        ip: event.ip ?? '–',
        detail: event.detail ?? '',
      })),
      nextHref: page.nextCursor
        ? `/backoffice/security-events?${new URLSearchParams({ ...(kind ? { actorKind: kind } : {}), before: page.nextCursor }).toString()}`
        : '',
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
    req: PageRequest,
    res: PageReply,
    body: unknown,
  ): Promise<void> {
    const form = (typeof body === 'object' && body !== null ? body : {}) as { confirm?: unknown; role?: unknown };
    const role = form.role;
    if (action === 'changeRole' && !isClerkRole(role)) {
      return this.renderClerks(clerk, res, 400, { errors: [t(res, 'identity.backoffice.error.field.role')] });
    }
    const newRole = isClerkRole(role) ? role : undefined;
    if (form.confirm !== 'yes') return this.renderConfirmation(clerk, id, action, newRole, res);
    const result = await this.clerks.administer(actorOf(clerk), id, action, newRole ?? clerk.role, req.ip ?? null);
    if (result.kind === 'changed' || result.kind === 'unchanged') {
      const done = result.kind === 'changed' ? action : 'unchanged';
      return redirectSeeOther(res, `/backoffice/clerks?${new URLSearchParams({ done, clerk: String(id) }).toString()}`);
    }
    await this.renderRefusal(clerk, res, action, result.kind);
  }

  private async renderConfirmation(
    clerk: ClerkIdentity,
    id: number,
    action: ClerkAction,
    role: ClerkRole | undefined,
    res: PageReply,
  ): Promise<void> {
    // The service's list answers only admins, and only with their own company's clerks.
    const list = await this.clerks.list(actorOf(clerk));
    if (list === null) return this.renderRefusal(clerk, res, action, 'forbidden');
    const target = list.find((c) => c.id === id);
    if (!target) return this.renderRefusal(clerk, res, action, 'notFound');
    if (action === 'changeRole' && role === target.role) {
      return redirectSeeOther(res, `/backoffice/clerks?${new URLSearchParams({ done: 'unchanged', clerk: String(id) }).toString()}`);
    }
    const key = `identity.backoffice.clerks.confirm.${action}`;
    const params = {
      name: target.name,
      email: target.email,
      from: t(res, `backoffice.role.${target.role}`),
      to: role ? t(res, `backoffice.role.${role}`) : '',
    };
    // A new admin without a second factor will be sent to enrolment at the next login.
    const mustEnrol = action === 'changeRole' && role === 'admin' && !target.totpEnrolled;
    res.status(200).render('identity/backoffice/clerk-confirm', {
      titleKey: `${key}.title`,
      question: t(res, `${key}.question`, params),
      consequences: [
        t(res, `${key}.consequence`, params),
        ...(mustEnrol ? [t(res, 'identity.backoffice.clerks.confirm.changeRole.enrol')] : []),
      ],
      action: `/backoffice/clerks/${target.id}/${CLERK_ACTION_PATHS[action]}`,
      role: role ?? '',
      confirmLabel: t(res, `${key}.button`),
    });
  }

  private async renderRefusal(
    clerk: ClerkIdentity,
    res: PageReply,
    action: ClerkAction,
    kind: Exclude<ClerkChangeResult, { kind: 'changed' | 'unchanged' }>['kind'],
  ): Promise<void> {
    if (kind === 'forbidden') {
      res.status(403).render('web/error', { status: 403, titleKey: 'error.request.title', textKey: 'error.request.text' });
      return;
    }
    const status = kind === 'notFound' ? 404 : 409;
    const message =
      kind === 'self' ? t(res, `identity.backoffice.clerks.refused.self.${action}`) : t(res, `identity.backoffice.clerks.refused.${kind}`);
    await this.renderClerks(clerk, res, status, { errors: [message] });
  }

  private async renderClerks(
    clerk: ClerkIdentity,
    res: PageReply,
    status: number,
    extra: { form?: { name: string; email: string; role: string }; errors?: string[]; done?: { action: unknown; clerkId: number } },
  ): Promise<void> {
    const list = await this.clerks.list(actorOf(clerk));
    if (list === null) {
      res.status(403).render('web/error', { status: 403, titleKey: 'error.request.title', textKey: 'error.request.text' });
      return;
    }
    const form = extra.form ?? { name: '', email: '', role: 'clerk' };
    res.status(status).render('identity/backoffice/clerks', {
      titleKey: 'identity.backoffice.clerks.title',
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
      statusKey: c.active ? 'identity.backoffice.clerks.status.active' : 'identity.backoffice.clerks.status.inactive',
      totpKey: c.totpEnrolled
        ? 'identity.backoffice.yes'
        : c.totpRequired
          ? 'identity.backoffice.clerks.totpPending'
          : 'identity.backoffice.no',
      self,
      canResetTotp: !self && c.totpEnrolled,
      canDeactivate: !self && c.active,
      canReactivate: !self && !c.active,
      roles: CLERK_ROLES.map((role) => ({ value: role, labelKey: `backoffice.role.${role}`, selected: role === c.role })),
    };
  }

  /** The success message after an action's redirect (`?done=<action>&clerk=<id>`); nothing for anything else. */
  private doneFlash(res: PageReply, list: ClerkView[], done: { action: unknown; clerkId: number } | undefined) {
    const target = done ? list.find((c) => c.id === done.clerkId) : undefined;
    if (!done || !target || !(isAction(done.action) || done.action === 'unchanged')) return {};
    const key = done.action === 'unchanged' ? 'unchanged' : done.action;
    const message = t(res, `identity.backoffice.clerks.done.${key}`, { name: target.name, role: t(res, `backoffice.role.${target.role}`) });
    return { flash: { kind: done.action === 'unchanged' ? 'info' : 'success', message } };
  }
}
