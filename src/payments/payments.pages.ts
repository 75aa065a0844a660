import { Body, Controller, Get, Inject, NotFoundException, Param, ParseIntPipe, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, PageRequest, redirectSeeOther } from '../web/http';
import { CurrentCustomer, CustomerGuard, CustomerRef } from '../identity/auth.guards';
import { translate } from '../web/i18n';
import { pageLanguage } from '../web/page-text';
import { GatewayError, PAYMENT_GATEWAY, PaymentGateway } from './payment-gateway';
import { MAX_ITEMS_PER_PAYMENT, PaymentStartService, StartError } from './payment-start.service';
import { PaymentQueries } from './payment-queries.service';
import { PaymentSettlement } from './payment-settlement.service';

/** `items` from a query string or form: one value or many; anything that is not an id is dropped. */
function itemIds(raw: unknown): number[] {
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return [
    ...new Set(
      values
        .filter((v): v is string => typeof v === 'string' && /^\d{1,18}$/.test(v))
        .map(Number)
        .filter((n) => Number.isSafeInteger(n) && n > 0),
    ),
  ].slice(0, MAX_ITEMS_PER_PAYMENT + 1);
}

function startErrorMessage(res: PageReply, error: StartError): string {
  return translate(
    pageLanguage(res),
    `payments.error.${error.code}`,
    error.code === 'rate_limited' ? { seconds: error.retryAfterSeconds } : {},
  );
}

/**
 * The customer's card payment: the confirmation page (GET /payments/new?items=…),
 * the start (POST /payments → the bank's card page), the return from the bank
 * (GET /payments/back?r=…&s=…, which asks the bank at once) and the payment's page.
 */
@ApiExcludeController()
@Controller('payments')
export class PaymentsPages {
  constructor(
    private readonly starter: PaymentStartService,
    private readonly queries: PaymentQueries,
    private readonly settlement: PaymentSettlement,
    @Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway,
  ) {}

  @Get('new')
  @UseGuards(CustomerGuard)
  async confirm(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply, @Query('items') items?: unknown): Promise<void> {
    await this.renderConfirm(res, customer, itemIds(items), 200);
  }

  @Post()
  @UseGuards(CustomerGuard)
  async start(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply, @Body() body: { items?: unknown }): Promise<void> {
    const ids = itemIds(body.items);
    const result = await this.starter.start(customer, ids, pageLanguage(res));
    if (result.ok) return redirectSeeOther(res, result.value.redirectUrl);
    if (result.error.code === 'item_not_found') throw new NotFoundException();
    const status = result.error.code === 'rate_limited' ? 429 : result.error.code === 'gateway_unavailable' ? 502 : 409;
    await this.renderConfirm(res, customer, ids, status, startErrorMessage(res, result.error));
  }

  /** The bank sends the browser here. A valid signature makes the portal ask the bank; the page then shows the answer. */
  @Get('back')
  async back(@Req() req: PageRequest, @Res() res: PageReply): Promise<void> {
    const message = this.gateway.verifyReturn(req.query as Record<string, unknown>);
    if (!message) throw new NotFoundException();
    try {
      await this.settlement.refresh(message.companyCode, message.orderRef, { kind: 'customer', id: null });
    } catch (error) {
      // The reconciler asks again; the page shows the payment as still in progress.
      if (!(error instanceof GatewayError)) throw error;
    }
    const [row] = await this.queries.byOrderRef(message.companyCode, message.orderRef);
    if (!row) throw new NotFoundException();
    redirectSeeOther(res, `/payments/${row.id}`);
  }

  @Get(':id')
  @UseGuards(CustomerGuard)
  async payment(@CurrentCustomer() customer: CustomerRef, @Res() res: PageReply, @Param('id', ParseIntPipe) id: number): Promise<void> {
    const payment = await this.queries.payment(customer.companyId, id, customer.customerId);
    if (!payment) throw new NotFoundException();
    const { items: stillOpen } = await this.starter.openItems(customer, []);
    const openTotal = stillOpen.reduce((sum, item) => sum + item.openAmount, 0);
    res.render('payments/payment', {
      titleKey: 'payments.result.title',
      payment: {
        id: payment.id,
        amount: payment.amount,
        bankReference: payment.bankReference,
        createdAt: payment.createdAt,
        stateKey: `payments.state.${payment.status}`,
        messageKey: `payments.result.${payment.status}`,
        succeeded: payment.status === 'succeeded',
        inProgress: payment.status === 'created' || payment.status === 'started',
        allocations: payment.allocations.map((a) => ({ ...a, settled: a.openAmount === 0 })),
      },
      openTotal,
      retryHref: payment.status === 'succeeded' ? null : `/payments/new?${payment.debtItemIds.map((i) => `items=${i}`).join('&')}`,
    });
  }

  private async renderConfirm(res: PageReply, customer: CustomerRef, ids: number[], status: number, error?: string): Promise<void> {
    if (ids.length > MAX_ITEMS_PER_PAYMENT) throw new NotFoundException();
    const [available, selection] = await Promise.all([this.starter.available(customer.companyId), this.starter.openItems(customer, ids)]);
    // Another customer's item, or one already settled, is not offered: the page shows only what is the customer's and open.
    if (selection.missing.length > 0) throw new NotFoundException();
    res.status(status).render('payments/new', {
      titleKey: 'payments.new.title',
      ...(error ? { flash: { kind: 'error', message: error } } : {}),
      available,
      items: selection.items,
      total: selection.items.reduce((sum, item) => sum + item.openAmount, 0),
    });
  }
}
