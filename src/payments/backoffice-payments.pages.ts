import { Body, Controller, Get, NotFoundException, Param, ParseIntPipe, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, redirectSeeOther } from '../web/http';
import { BackofficeGuard, Clerk } from '../identity/clerk.guard';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { translate } from '../web/i18n';
import { pageLanguage } from '../web/page-text';
import { allocateOldestFirst } from './allocation';
import { ManualAllocationService } from './manual-allocation.service';
import { PaymentStartService } from './payment-start.service';
import { isPaymentStatus, PaymentFilter, PaymentQueries, PaymentView } from './payment-queries.service';
import { PAYMENT_STATUSES } from './payment.entity';
import { WriteLimited } from '../identity/write-limit.guard';

const DAY = /^\d{4}-\d\d-\d\d$/;
const PAGE_SIZE = 50;

interface ListQuery {
  state?: string;
  from?: string;
  to?: string;
  flagged?: string;
  /** One customer's payments (the link on the clerk's customer page). */
  customer?: string;
  before?: string;
}

/** The company's payments for clerks: the filtered list, a payment's page, and the manual allocation of a flagged payment. */
@ApiExcludeController()
@Controller('backoffice/payments')
@UseGuards(BackofficeGuard)
@UseFilters(BackofficeRedirectFilter)
export class BackofficePaymentsPages {
  constructor(
    private readonly queries: PaymentQueries,
    private readonly allocation: ManualAllocationService,
    private readonly starter: PaymentStartService,
  ) {}

  @Get()
  async list(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Query() query: ListQuery): Promise<void> {
    const state = isPaymentStatus(query.state) ? query.state : '';
    const from = typeof query.from === 'string' && DAY.test(query.from) ? query.from : '';
    const to = typeof query.to === 'string' && DAY.test(query.to) ? query.to : '';
    const flagged = query.flagged === 'yes' || query.flagged === 'no' ? query.flagged : '';
    const before = typeof query.before === 'string' && /^\d{1,18}$/.test(query.before) ? Number(query.before) : undefined;
    const customer = typeof query.customer === 'string' && /^\d{1,18}$/.test(query.customer) ? query.customer : '';
    const filter: PaymentFilter = { limit: PAGE_SIZE, beforeId: before };
    if (customer) filter.customerId = Number(customer);
    if (state) filter.status = state;
    if (from) filter.from = from;
    if (to) filter.to = to;
    if (flagged) filter.flagged = flagged === 'yes';
    const payments = await this.queries.list(clerk.companyId, filter);
    const base = new URLSearchParams({
      ...(state && { state }),
      ...(from && { from }),
      ...(to && { to }),
      ...(flagged && { flagged }),
      ...(customer && { customer }),
    });
    res.render('payments/backoffice-list', {
      titleKey: 'payments.bo.title',
      states: [
        { value: '', labelKey: 'payments.bo.filter.any', selected: state === '' },
        ...PAYMENT_STATUSES.map((s) => ({ value: s, labelKey: `payments.state.${s}`, selected: s === state })),
      ],
      flags: [
        { value: '', labelKey: 'payments.bo.filter.any', selected: flagged === '' },
        { value: 'yes', labelKey: 'payments.bo.filter.flaggedOnly', selected: flagged === 'yes' },
        { value: 'no', labelKey: 'payments.bo.filter.unflagged', selected: flagged === 'no' },
      ],
      from,
      to,
      customer,
      rows: payments.map((p) => this.row(p)),
      nextHref:
        payments.length === PAGE_SIZE
          ? `/backoffice/payments?${new URLSearchParams([...base.entries(), ['before', String(payments[payments.length - 1].id)]]).toString()}`
          : null,
    });
  }

  @Get(':id')
  async detail(
    @Clerk() clerk: ClerkIdentity,
    @Res() res: PageReply,
    @Param('id', ParseIntPipe) id: number,
    @Query('done') done?: string,
  ): Promise<void> {
    await this.renderDetail(
      clerk,
      res,
      id,
      200,
      done === 'allocated' ? { kind: 'success', message: translate(pageLanguage(res), 'payments.bo.allocate.done') } : undefined,
    );
  }

  @Post(':id/allocate')
  @WriteLimited()
  async allocate(
    @Clerk() clerk: ClerkIdentity,
    @Res() res: PageReply,
    @Param('id', ParseIntPipe) id: number,
    @Body() body: Record<string, unknown>,
  ): Promise<void> {
    const allocations: Array<{ debtItemId: number; amount: number }> = [];
    for (const [key, value] of Object.entries(body)) {
      const match = /^amount-(\d{1,18})$/.exec(key);
      if (!match || typeof value !== 'string' || value.trim() === '') continue;
      const amount = Number(value.replace(/\s/g, ''));
      if (!Number.isSafeInteger(amount) || amount < 0) {
        return this.renderDetail(clerk, res, id, 400, {
          kind: 'error',
          message: translate(pageLanguage(res), 'payments.bo.allocate.invalidAmount'),
        });
      }
      allocations.push({ debtItemId: Number(match[1]), amount });
    }
    const note = typeof body.note === 'string' ? body.note.slice(0, 300) : '';
    const result = await this.allocation.allocate(clerk.companyId, clerk.clerkId, id, allocations, note);
    if (result.ok) return redirectSeeOther(res, `/backoffice/payments/${id}?done=allocated`);
    if (result.error.code === 'payment_not_found') throw new NotFoundException();
    await this.renderDetail(clerk, res, id, result.error.code === 'not_flagged' ? 409 : 400, {
      kind: 'error',
      message: result.error.message,
    });
  }

  private async renderDetail(
    clerk: ClerkIdentity,
    res: PageReply,
    id: number,
    status: number,
    flash?: { kind: 'success' | 'error'; message: string },
  ): Promise<void> {
    const payment = await this.queries.payment(clerk.companyId, id);
    if (!payment) throw new NotFoundException();
    const events = await this.queries.events(clerk.companyId, id);
    let allocate = null;
    if (payment.flagged && payment.status === 'succeeded') {
      const allocated = payment.allocations.reduce((sum, a) => sum + a.amount, 0);
      const available = (payment.paidAmount ?? 0) - allocated;
      const { items } = await this.starter.openItems({ companyId: clerk.companyId, customerId: payment.customerId }, []);
      const suggested = allocateOldestFirst(Math.max(available, 0), items);
      allocate = {
        available,
        items: items.map((item) => ({
          ...item,
          suggested: suggested.allocations.find((a) => a.debtItemId === item.id)?.amount ?? 0,
        })),
      };
    }
    res.status(status).render('payments/backoffice-payment', {
      titleKey: 'payments.bo.title',
      ...(flash ? { flash } : {}),
      payment: this.row(payment),
      allocations: payment.allocations,
      events: events.map((e) => ({ ...e, eventKey: `payments.bo.event.${e.event}` })),
      allocate,
    });
  }

  private row(p: PaymentView) {
    return {
      ...p,
      stateKey: `payments.state.${p.status}`,
      paidDiffers: p.paidAmount !== null && (p.paidAmount !== p.amount || p.paidCurrency !== p.currency),
    };
  }
}
