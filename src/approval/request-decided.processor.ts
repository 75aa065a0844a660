import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { JobBatcher } from '../../libs/queue/job-batcher';
import { OUTBOX_JOB_BATCHES, outboxJobBatcher, payloadIds } from '../../libs/outbox/outbox';
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
      for (const requestId of payloadIds(job.data, 'requestId')) await this.notify(manager, job.data.companyId, requestId);
    });
  }

  onModuleInit(): void {
    this.queues.register(JOBS.requestDecided, (job) => this.handle(job), { concurrency: OUTBOX_JOB_BATCHES.concurrency });
  }

  async handle(job: DecidedJob): Promise<void> {
    await this.batcher.add(job);
  }

  private async notify(manager: EntityManager, companyId: number, requestId: number): Promise<void> {
    const request = await this.engine.find(manager, companyId, requestId);
    if (!request || !this.kinds.has(request.kind)) {
      this.logger.warn({ requestId, companyId }, 'decided request not found; no e-mail');
      return;
    }
    const [customer]: Recipient[] = await manager.query(
      `SELECT c.name AS customer_name, a.login_email AS recipient, a.language
           FROM customers c
           LEFT JOIN customer_accounts a ON a.company_id = c.company_id AND a.customer_id = c.id AND a.email_verified_at IS NOT NULL
          WHERE c.company_id = $1 AND c.id = $2`,
      [companyId, request.customerId],
    );
    const decisions: Array<{ to_state: DecisionOutcome; comment: string | null }> = await manager.query(
      `SELECT to_state, comment FROM request_transitions
          WHERE company_id = $1 AND request_id = $2 AND to_state = ANY($3::text[]) AND from_state IS DISTINCT FROM to_state
          ORDER BY id`,
      [companyId, requestId, DECISION_OUTCOMES],
    );
    if (!customer?.recipient || !customer.language || decisions.length === 0) {
      this.logger.log({ requestId, companyId, state: request.state }, 'request decided; no e-mail to send');
      return;
    }
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
