import { ForbiddenException, Injectable, Module, NestMiddleware, OnModuleInit } from '@nestjs/common';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { BullBoardInstance, BullBoardModule, InjectBullBoard } from '@bull-board/nestjs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { QueuesService } from '../core/queues.service';
import { ClerkAuthService } from '../identity/clerk-auth.service';
import type { Principal } from '../identity/principal';
import { roleAtLeast } from '../identity/clerk-roles';
import { JOB_CATALOGUE } from '../jobs';

/** Where the dashboard is served (pages and its JSON API below it). */
export const QUEUE_DASHBOARD_ROUTE = '/backoffice/queues';

/**
 * Lets only an active admin in, logged in with the second factor (an admin must enrol one
 * at once, so a session without it is sent to enrolment); a customer or a lesser clerk gets
 * 403, a visitor the login page. Node's own request and response only, so it runs unchanged
 * under any HTTP adapter.
 */
@Injectable()
export class QueueDashboardAccess implements NestMiddleware {
  constructor(private readonly clerks: ClerkAuthService) {}

  async use(req: IncomingMessage & { principal?: Principal }, res: ServerResponse, next: () => void): Promise<void> {
    const principal = req.principal;
    const clerk = principal?.kind === 'clerk' ? await this.clerks.current(principal.companyId, principal.clerkId) : undefined;
    if (principal?.kind !== 'customer' && (!clerk || clerk.mustEnrolTotp)) {
      res.writeHead(303, { Location: clerk ? '/backoffice/totp' : '/backoffice/login' }).end();
      return;
    }
    if (!clerk || !roleAtLeast(clerk.role, 'admin')) throw new ForbiddenException('The queue dashboard is for admins');
    next();
  }
}

/** Registers every queue of the job catalogue with the dashboard, read-only. */
@Injectable()
class QueueDashboardQueues implements OnModuleInit {
  constructor(
    @InjectBullBoard() private readonly board: BullBoardInstance,
    private readonly queues: QueuesService,
  ) {}

  onModuleInit(): void {
    // Read-only: its retry, clean and pause buttons would be writes outside the portal's CSRF
    // check, write limit and audit; failed e-mails are resent from their own back-office page.
    const names = [...new Set(JOB_CATALOGUE.map((job) => job.queue))].sort();
    for (const name of names) this.board.addQueue(new BullMQAdapter(this.queues.queue(name), { readOnlyMode: true }));
  }
}

/**
 * The admins' BullMQ dashboard (@bull-board). The one place that names the HTTP adapter:
 * under Fastify, `ExpressAdapter` becomes `FastifyAdapter` from @bull-board/fastify.
 */
@Module({
  imports: [
    BullBoardModule.forRoot({
      route: QUEUE_DASHBOARD_ROUTE,
      adapter: ExpressAdapter,
      middleware: QueueDashboardAccess,
      boardOptions: { uiConfig: { boardTitle: 'Ügyfélportál queues' } },
    }),
  ],
  providers: [QueueDashboardQueues],
})
export class QueueDashboardModule {}
