import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { JobBatcher } from '../../libs/queue/job-batcher';
import { OUTBOX_JOB_BATCHES, outboxJobBatcher, payloadIds } from '../../libs/outbox/outbox';
import { WorkflowRequest } from '../../libs/workflow/request-workflow';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';
import { EmailLanguage } from '../notifications/email-templates';
import { EmailService } from '../notifications/email.service';
import { DECISION_OUTCOMES, DecisionOutcome, RequestKinds } from './request-kind';

type DecidedJob = Pick<Job<{ requestIds?: number[]; requestId?: number; companyId: number; outboxId?: number }>, 'data'>;

interface Recipient {
  customer_name: string;
  recipient: string | null;
  language: EmailLanguage | null;
}

/**
 * `notifications/request-decided`, written by every kind's approved, rejected and applied
 * states (one job for the requests one decision statement moved, WorkflowEngine.sendMany): tells each request's customer by e-mail of each decision their request has reached (its
 * transitions, so a job that runs after the request moved on still announces the step it
 * was written for), in the words of the request's kind (RequestPresentation.decisionEmail),
 * if they have a verified login and the kind's topic on. The once key
 * `request-decided:<request>:<outcome>` makes every decision go out once, however many
 * jobs or re-runs see it. Jobs running at the same time share one transaction.
 */
@Injectable()
export class RequestDecidedProcessor implements OnModuleInit {
  private readonly logger = new Logger(RequestDecidedProcessor.name);
  private readonly batcher: JobBatcher<DecidedJob, void | undefined>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueuesService,
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly kinds: RequestKinds,
    private readonly emails: EmailService,
  ) {
    this.batcher = outboxJobBatcher(dataSource, async (manager, job: DecidedJob) => {
      await this.notify(manager, job.data.companyId, payloadIds(job.data, 'requestId'));
    });
  }

  onModuleInit(): void {
    this.queues.register(JOBS.requestDecided, (job) => this.handle(job), { concurrency: OUTBOX_JOB_BATCHES.concurrency });
  }

  async handle(job: DecidedJob): Promise<void> {
    await this.batcher.add(job);
  }

  /**
   * The e-mails of a job's requests: one read finds who of them can be told (a verified
   * login) and their decisions; only those requests are loaded and written about.
   */
  private async notify(manager: EntityManager, companyId: number, requestIds: readonly number[]): Promise<void> {
    if (requestIds.length === 0) return;
    const rows: Array<Recipient & { id: string; decisions: Array<{ to_state: DecisionOutcome; comment: string | null }> }> =
      await manager.query(
        `SELECT r.id, c.name AS customer_name, a.login_email AS recipient, a.language,
                COALESCE((SELECT jsonb_agg(jsonb_build_object('to_state', t.to_state, 'comment', t.comment) ORDER BY t.id)
                            FROM request_transitions t
                           WHERE t.company_id = r.company_id AND t.request_id = r.id AND t.to_state = ANY($3::text[])
                             AND t.from_state IS DISTINCT FROM t.to_state), '[]') AS decisions
           FROM requests r
           JOIN customers c ON c.company_id = r.company_id AND c.id = r.customer_id
           LEFT JOIN customer_accounts a ON a.company_id = c.company_id AND a.customer_id = c.id AND a.email_verified_at IS NOT NULL
          WHERE r.company_id = $1 AND r.id = ANY($2::bigint[])`,
        [companyId, requestIds, DECISION_OUTCOMES],
      );
    const found = new Map(rows.map((row) => [Number(row.id), row]));
    const missing = requestIds.filter((id) => !found.has(id));
    if (missing.length > 0) this.logger.warn({ requestIds: missing, companyId }, 'decided request not found; no e-mail');
    const toTell = rows.filter((row) => row.recipient && row.language && row.decisions.length > 0);
    if (toTell.length < rows.length)
      this.logger.log({ companyId, requests: rows.length - toTell.length }, 'request decided; no e-mail to send');
    if (toTell.length === 0) return;
    const requests = await this.engine.findMany(
      manager,
      companyId,
      toTell.map((row) => Number(row.id)),
    );
    for (const request of requests) {
      if (!this.kinds.has(request.kind)) {
        this.logger.warn({ requestId: request.id, companyId }, 'decided request of an unknown kind; no e-mail');
        continue;
      }
      const customer = found.get(request.id)!;
      await this.tell(manager, request, customer as Recipient & { recipient: string; language: EmailLanguage }, customer.decisions);
    }
  }

  private async tell(
    manager: EntityManager,
    request: WorkflowRequest,
    customer: Recipient & { recipient: string; language: EmailLanguage },
    decisions: ReadonlyArray<{ to_state: DecisionOutcome; comment: string | null }>,
  ): Promise<void> {
    const { companyId, id: requestId } = request;
    const kind = this.kinds.get(request.kind);
    const announced = new Set<DecisionOutcome>();
    for (const { to_state: outcome, comment } of decisions) {
      // A retried application passes `approved` once only, but the once key is the rule either way.
      if (announced.has(outcome)) continue;
      announced.add(outcome);
      const content = await kind.decisionEmail(companyId, request, outcome, customer.language);
      const emailId = await this.emails.queueNotification(manager, {
        companyId,
        template: 'request-decided',
        language: customer.language,
        to: customer.recipient,
        params: {
          customerName: customer.customer_name,
          outcome,
          subject: content.subject,
          summary: content.summary,
          ...(outcome === 'rejected' && comment ? { reason: comment } : {}),
          link: { url: `${this.config.PUBLIC_URL}${content.link.path}`, label: content.link.label },
        },
        notification: { customerId: request.customerId, topic: kind.decisionTopic },
        onceKey: `request-decided:${requestId}:${outcome}`,
      });
      this.logger.log(
        { requestId, companyId, outcome, emailId },
        emailId ? 'decision e-mail queued' : 'decision e-mail not wanted or already queued',
      );
    }
  }
}
