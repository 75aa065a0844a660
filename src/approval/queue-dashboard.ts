import { Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { ClerkAuthService } from '../identity/clerk-auth.service';
import { roleAtLeast } from '../identity/clerk-roles';
import { wantsHtml } from '../web/html-exception.filter';
import { redirectSeeOther } from '../web/http';
import { JOB_CATALOGUE } from '../jobs';

/** Where the dashboard is served (pages and its JSON API below it). */
export const QUEUE_DASHBOARD_ROUTE = '/backoffice/queues';

/**
 * Lets only an active admin of the company running the installation (QUEUE_DASHBOARD_COMPANY)
 * in, logged in with the second factor (an admin must enrol one at once, so a session without
 * it is sent to enrolment): the queues hold every company's jobs, so another company's admin,
 * a customer or a lesser clerk gets 403, a visitor the login page. A preHandler hook of the dashboard's own routes, so it runs
 * after the session hook (bootstrap), which tells who is logged in. It answers itself rather
 * than throwing: errors in the dashboard's scope go to bull-board's own error handler.
 */
@Injectable()
export class QueueDashboardAccess {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clerks: ClerkAuthService,
    private readonly dataSource: DataSource,
  ) {}

  readonly hook: preHandlerAsyncHookHandler = async (req, res) => {
    const principal = req.principal;
    const clerk = principal?.kind === 'clerk' ? await this.clerks.current(principal.companyId, principal.clerkId) : undefined;
    if (principal?.kind !== 'customer' && (!clerk || clerk.mustEnrolTotp)) {
      return redirectSeeOther(res, clerk ? '/backoffice/totp' : '/backoffice/login');
    }
    if (clerk && roleAtLeast(clerk.role, 'admin') && (await this.runsInstallation(clerk.companyId))) return;
    res.status(403);
    if (wantsHtml(req)) return res.render('web/error', { status: 403, titleKey: 'error.request.title', textKey: 'error.request.text' });
    return res.send({ statusCode: 403, error: 'Forbidden', message: 'The queue dashboard is for the admins of the installation' });
  };

  private async runsInstallation(companyId: number): Promise<boolean> {
    if (this.config.QUEUE_DASHBOARD_COMPANY === '') return false;
    const rows: unknown[] = await this.dataSource.query(`SELECT 1 FROM companies WHERE id = $1 AND code = $2`, [
      companyId,
      this.config.QUEUE_DASHBOARD_COMPANY,
    ]);
    return rows.length > 0;
  }
}

/**
 * The admins' BullMQ dashboard (@bull-board on its Fastify adapter), every queue of the job
 * catalogue, read-only: its retry, clean and pause buttons would be writes outside the portal's
 * CSRF check, write limit and audit; failed e-mails are resent from their own back-office page.
 */
@Injectable()
class QueueDashboard implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly queues: QueuesService,
    private readonly access: QueueDashboardAccess,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    const board = new FastifyAdapter().setBasePath(QUEUE_DASHBOARD_ROUTE);
    const names = [...new Set(JOB_CATALOGUE.map((job) => job.queue))].sort();
    createBullBoard({
      queues: names.map((name) => new BullMQAdapter(this.queues.queue(name), { readOnlyMode: true })),
      serverAdapter: board,
      options: { uiConfig: { boardTitle: 'Ügyfélportál queues' } },
    });
    // The access hook in a scope of the dashboard's own: it guards its routes only.
    void fastify.register(
      async (scope) => {
        scope.addHook('preHandler', this.access.hook);
        await scope.register(board.registerPlugin());
      },
      { prefix: QUEUE_DASHBOARD_ROUTE },
    );
  }
}

@Module({ providers: [QueueDashboardAccess, QueueDashboard] })
export class QueueDashboardModule {}
