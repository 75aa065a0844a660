import { Body, Controller, Get, NotFoundException, Param, ParseIntPipe, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, redirectSeeOther } from '../web/http';
import { WorkflowError } from '../../libs/workflow/workflow-errors';
import { BackofficeGuard, Clerk } from '../identity/clerk.guard';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';
import { roleAtLeast } from '../identity/clerk-roles';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { pageLanguage, pageText as t } from '../web/page-text';
import { ApprovalQueueService, InvalidCursorError, OpenState, QueueFilter } from './approval-queue.service';
import { clerkRef } from './backoffice-requests.controller';
import { RequestKinds } from './request-kind';
import { OPEN_REQUEST_STATES } from './request.entity';
import { QueueRow, RequestQueries } from './request-queries.service';
import { BULK_MAX, ReviewService } from './review.service';
import { WriteLimited } from '../identity/write-limit.guard';

const AGES = ['1', '3', '7', '30'];
const ACTIONS = ['claim', 'release', 'approve', 'reject', 'comment', 'retry'] as const;
type Action = (typeof ACTIONS)[number];

const TIME = new Intl.DateTimeFormat('hu-HU', { timeZone: 'Europe/Budapest', hour: '2-digit', minute: '2-digit', hour12: false });

interface QueueQuery {
  kind?: string;
  state?: string;
  age?: string;
  flagged?: string;
  after?: string;
  bulk?: string;
  refused?: string;
}

/** The clerk work queue and the request detail with its decisions, as pages. */
@ApiExcludeController()
@Controller('backoffice')
@UseGuards(BackofficeGuard)
@UseFilters(BackofficeRedirectFilter)
export class QueuePages {
  constructor(
    private readonly queue: ApprovalQueueService,
    private readonly queries: RequestQueries,
    private readonly review: ReviewService,
    private readonly kinds: RequestKinds,
  ) {}

  @Get('queue')
  async queuePage(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Query() query: QueueQuery): Promise<void> {
    const filter: QueueFilter = { limit: 50 };
    const kinds = this.kinds.names();
    const kind = typeof query.kind === 'string' && kinds.includes(query.kind) ? query.kind : '';
    const state = typeof query.state === 'string' && (OPEN_REQUEST_STATES as readonly string[]).includes(query.state) ? query.state : '';
    const age = typeof query.age === 'string' && AGES.includes(query.age) ? query.age : '';
    const flagged = query.flagged === 'yes' || query.flagged === 'no' ? query.flagged : '';
    if (kind) filter.kinds = [kind];
    if (state) filter.states = [state as OpenState];
    if (age) filter.olderThanDays = Number(age);
    if (flagged) filter.flagged = flagged === 'yes';
    if (typeof query.after === 'string' && query.after) filter.after = query.after;
    let page;
    try {
      page = await this.queue.list(clerk.companyId, filter);
    } catch (error) {
      if (error instanceof InvalidCursorError) return redirectSeeOther(res, '/backoffice/queue');
      throw error;
    }
    const rows = await this.queries.rows(clerk.companyId, page.items, pageLanguage(res));
    const base = new URLSearchParams({ ...(kind && { kind }), ...(state && { state }), ...(age && { age }), ...(flagged && { flagged }) });
    const bulk = Number(query.bulk);
    const refused = Number(query.refused);
    res.render('approval/queue', {
      titleKey: 'approval.queue.title',
      ...(Number.isInteger(bulk) && query.bulk !== undefined
        ? {
            flash: {
              kind: refused > 0 ? 'info' : 'success',
              message: t(res, 'approval.bulk.done', { approved: bulk, refused: Number.isInteger(refused) ? refused : 0 }),
            },
          }
        : {}),
      kinds: [
        { value: '', labelKey: 'approval.filter.any', selected: kind === '' },
        ...kinds.map((k) => ({ value: k, labelKey: this.kinds.get(k).labelKey, selected: k === kind })),
      ],
      states: [
        { value: '', labelKey: 'approval.filter.any', selected: state === '' },
        ...OPEN_REQUEST_STATES.map((s) => ({ value: s, labelKey: `approval.state.${s}`, selected: s === state })),
      ],
      ages: [
        { value: '', labelKey: 'approval.filter.any', selected: age === '' },
        ...AGES.map((a) => ({ value: a, labelKey: `approval.filter.age.${a}`, selected: a === age })),
      ],
      flags: [
        { value: '', labelKey: 'approval.filter.any', selected: flagged === '' },
        { value: 'yes', labelKey: 'approval.filter.flagged', selected: flagged === 'yes' },
        { value: 'no', labelKey: 'approval.filter.unflagged', selected: flagged === 'no' },
      ],
      rows: rows.map((r) => this.row(r)),
      nextHref: page.next ? `/backoffice/queue?${new URLSearchParams([...base.entries(), ['after', page.next]]).toString()}` : null,
    });
  }

  @Post('queue/bulk-approve')
  @WriteLimited()
  async bulkApprove(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Body() body: Record<string, unknown>): Promise<void> {
    const raw = Array.isArray(body.items) ? body.items : typeof body.items === 'string' ? [body.items] : [];
    const items = raw
      .filter((v): v is string => typeof v === 'string' && /^\d{1,18}:\d{1,9}$/.test(v))
      .slice(0, BULK_MAX)
      .map((v) => {
        const [requestId, expectedVersion] = v.split(':').map(Number);
        return { requestId, expectedVersion };
      });
    const outcomes = items.length ? await this.review.bulkApprove(clerk.companyId, clerkRef(clerk), items) : [];
    const approved = outcomes.filter((o) => o.ok).length;
    redirectSeeOther(res, `/backoffice/queue?bulk=${approved}&refused=${outcomes.length - approved}`);
  }

  @Get('requests/:id')
  async detailPage(
    @Clerk() clerk: ClerkIdentity,
    @Res() res: PageReply,
    @Param('id', ParseIntPipe) id: number,
    @Query('done') done?: string,
  ): Promise<void> {
    const flash =
      typeof done === 'string' && (ACTIONS as readonly string[]).includes(done)
        ? { kind: 'success' as const, message: t(res, `approval.done.${done}`) }
        : undefined;
    await this.renderDetail(clerk, res, id, 200, flash ? { flash } : {});
  }

  @Post('requests/:id/:action')
  @WriteLimited()
  async act(
    @Clerk() clerk: ClerkIdentity,
    @Res() res: PageReply,
    @Param('id', ParseIntPipe) id: number,
    @Param('action') action: string,
    @Body() body: Record<string, unknown>,
  ): Promise<void> {
    if (!(ACTIONS as readonly string[]).includes(action)) throw new NotFoundException();
    const version = Number(body.expectedVersion);
    const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string).trim() : '');
    if (action !== 'comment' && (!Number.isSafeInteger(version) || version < 1)) {
      return this.renderDetail(clerk, res, id, 400, { errors: [t(res, 'approval.error.version')] });
    }
    if (action === 'reject' && !text('reason')) {
      return this.renderDetail(clerk, res, id, 400, { errors: [t(res, 'approval.error.reason')] });
    }
    if (action === 'comment' && !text('comment')) {
      return this.renderDetail(clerk, res, id, 400, { errors: [t(res, 'approval.error.comment')] });
    }
    const ref = clerkRef(clerk);
    const companyId = clerk.companyId;
    const result = await (async () => {
      switch (action as Action) {
        case 'claim':
          return this.review.claim(companyId, ref, id, version);
        case 'release':
          return this.review.release(companyId, ref, id, version);
        case 'approve':
          return this.review.approve(companyId, ref, id, version);
        case 'reject':
          return this.review.reject(companyId, ref, id, version, text('reason').slice(0, 2000));
        case 'comment':
          return this.review.comment(companyId, ref, id, text('comment').slice(0, 2000));
        case 'retry':
          return this.review.retry(companyId, ref, id, version);
      }
    })();
    if (result.ok) return redirectSeeOther(res, `/backoffice/requests/${id}?done=${action}`);
    await this.renderDetail(clerk, res, id, statusOf(result.error), { errors: [this.errorMessage(res, result.error)] });
  }

  private errorMessage(res: PageReply, error: WorkflowError): string {
    switch (error.code) {
      case 'version_conflict':
      case 'event_not_accepted':
        return t(res, 'approval.error.stale');
      case 'actor_not_allowed':
        return t(res, 'approval.error.notAllowed');
      case 'invalid_event':
        return t(res, 'approval.error.invalid');
      case 'not_found':
        return t(res, 'approval.error.notFound');
    }
  }

  private row(r: QueueRow) {
    return {
      id: r.id,
      version: r.version,
      kindKey: this.kinds.get(r.kind).labelKey,
      stateKey: `approval.state.${r.state}`,
      customer: r.customer,
      summary: r.summary,
      createdAt: r.createdAt,
      answerDueAt: r.answerDueAt,
      dueSoon: r.dueSoon && (OPEN_REQUEST_STATES as readonly string[]).includes(r.state),
      flagged: r.flagged,
      hints: r.hints,
      claimedBy: r.assignedClerk ? r.assignedClerk.name || `#${r.assignedClerk.id}` : null,
      selectable: !r.flagged && r.bulkApprovable && (r.state === 'submitted' || r.state === 'in_review'),
    };
  }

  private async renderDetail(
    clerk: ClerkIdentity,
    res: PageReply,
    id: number,
    status: number,
    extra: Record<string, unknown>,
  ): Promise<void> {
    const detail = await this.queries.detail(clerk.companyId, id, pageLanguage(res));
    if (!detail) throw new NotFoundException();
    const open = detail.state === 'submitted' || detail.state === 'in_review';
    res.status(status).render('approval/request', {
      titleKey: 'approval.request.title',
      ...extra,
      request: this.row(detail),
      kindPartial: detail.partial.partial,
      kindModel: detail.partial.model,
      log: detail.log.map((l) => ({
        at: l.createdAt,
        time: TIME.format(l.createdAt),
        fromKey: l.fromState ? `approval.state.${l.fromState}` : null,
        toKey: `approval.state.${l.toState}`,
        event: l.event,
        actor:
          l.actorKind === 'system' ? t(res, 'approval.actor.system') : `${l.actorName ?? ''} (${t(res, `approval.actor.${l.actorKind}`)})`,
        comment: l.comment,
      })),
      can: {
        claim: detail.state === 'submitted',
        release: detail.state === 'in_review',
        decide: open,
        retry: detail.state === 'apply_failed' && roleAtLeast(clerk.role, 'supervisor'),
      },
    });
  }
}

function statusOf(error: WorkflowError): number {
  return error.code === 'not_found' ? 404 : error.code === 'actor_not_allowed' ? 403 : error.code === 'invalid_event' ? 400 : 409;
}
