import { Body, Controller, Get, NotFoundException, Param, ParseIntPipe, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, redirectSeeOther } from '../web/http';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { WriteLimited } from '../identity/write-limit.guard';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';
import { formatDate } from '../web/format';
import { pageText as t } from '../web/page-text';
import { WebhookEndpoints, WebhookEndpointView } from './webhook-endpoints.service';

const TIME = new Intl.DateTimeFormat('hu-HU', { timeZone: 'Europe/Budapest', hour: '2-digit', minute: '2-digit', hour12: false });
const when = (at: Date | null) => (at ? `${formatDate(at)} ${TIME.format(at)}` : '–');
const DONE = ['removed', 'retried'] as const;

/**
 * Webhooks of the integration feed, for admins: the company's endpoints with their
 * delivery state, registering one (its secret shown once, on the answer to the form),
 * removing one, and the failing deliveries with a retry button.
 */
@ApiExcludeController()
@Controller('backoffice/integration-webhooks')
@UseGuards(BackofficeGuard)
@MinRole('admin')
@UseFilters(BackofficeRedirectFilter)
export class WebhookPages {
  constructor(private readonly endpoints: WebhookEndpoints) {}

  @Get()
  async page(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Query('done') done: unknown): Promise<void> {
    const flash = (DONE as readonly unknown[]).includes(done)
      ? { kind: 'success', message: t(res, `integration.webhooks.done.${done as string}`) }
      : undefined;
    await this.render(clerk, res, 200, { flash });
  }

  @Post()
  @WriteLimited()
  async create(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Body() body: unknown): Promise<void> {
    const url = typeof (body as { url?: unknown } | null)?.url === 'string' ? (body as { url: string }).url.trim() : '';
    const result = await this.endpoints.create(clerk.companyId, url);
    if (!result.ok) {
      return this.render(clerk, res, 400, {
        form: { url: url.slice(0, 2000) },
        errors: [t(res, `integration.webhooks.problem.${result.problem}`)],
      });
    }
    // The only time the secret is shown: the answer to the form, never a page one can reload later.
    await this.render(clerk, res, 201, { created: { id: result.id, secret: result.secret } });
  }

  @Post(':id/retry')
  @WriteLimited()
  async retry(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Res() res: PageReply): Promise<void> {
    if (!(await this.endpoints.retry(clerk.companyId, id))) throw new NotFoundException();
    redirectSeeOther(res, '/backoffice/integration-webhooks?done=retried');
  }

  @Post(':id/delete')
  @WriteLimited()
  async remove(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Res() res: PageReply): Promise<void> {
    if (!(await this.endpoints.remove(clerk.companyId, id))) throw new NotFoundException();
    redirectSeeOther(res, '/backoffice/integration-webhooks?done=removed');
  }

  private async render(
    clerk: ClerkIdentity,
    res: PageReply,
    status: number,
    extra: {
      flash?: { kind: string; message: string };
      form?: { url: string };
      errors?: string[];
      created?: { id: number; secret: string };
    },
  ): Promise<void> {
    const endpoints = await this.endpoints.list(clerk.companyId);
    const view = (endpoint: WebhookEndpointView) => ({
      ...endpoint,
      lastAttemptAt: when(endpoint.lastAttemptAt),
      stoppedAt: when(endpoint.stoppedAt),
      createdAt: when(endpoint.createdAt),
      stateKey: endpoint.stoppedAt
        ? 'integration.webhooks.state.stopped'
        : endpoint.failureCount > 0
          ? 'integration.webhooks.state.retrying'
          : 'integration.webhooks.state.ok',
    });
    res.status(status).render('integration/webhooks', {
      titleKey: 'integration.webhooks.title',
      endpoints: endpoints.map(view),
      failing: endpoints.filter((endpoint) => endpoint.failureCount > 0 || endpoint.stoppedAt).map(view),
      form: extra.form ?? { url: '' },
      errors: extra.errors ?? [],
      flash: extra.flash,
      created: extra.created,
    });
  }
}
