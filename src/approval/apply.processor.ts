import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { payloadIds } from '../../libs/outbox/outbox';
import { ApplyOutcome, RequestApplier } from '../../libs/workflow/request-applier';
import { EFFECT_BATCH_MAX } from '../../libs/workflow/workflow-engine';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';

export type ApplyJob = Pick<Job<{ requestIds?: number[]; requestId?: number; companyId: number; outboxId?: number }>, 'data'>;

/**
 * An apply job names the requests one decision statement approved, up to
 * EFFECT_BATCH_MAX (WorkflowEngine.sendMany), and applies them in one transaction
 * (RequestApplier.applyMany): one job and one commit for up to APPLY_BATCH_MAX requests
 * instead of one each. Two jobs run at once, so one is written while the next is read.
 */
export const APPLY_BATCH_MAX = EFFECT_BATCH_MAX;
export const APPLY_CONCURRENCY = 2;

/**
 * `requests/apply`: runs the request kind's applier on each request the job names (see
 * RequestApplier for idempotency, error sorting and the outbox row's completion). A
 * request that could not be applied nor recorded fails the job, so the queue retries it
 * (the ones applied meanwhile are skipped then).
 */
@Injectable()
export class ApplyProcessor implements OnModuleInit {
  private readonly logger = new Logger(ApplyProcessor.name);

  constructor(
    private readonly applier: RequestApplier,
    private readonly queues: QueuesService,
  ) {}

  onModuleInit(): void {
    this.queues.register(JOBS.applyRequest, (job) => this.handle(job), { concurrency: APPLY_CONCURRENCY });
  }

  async handle(job: ApplyJob): Promise<ApplyOutcome[]> {
    const { companyId } = job.data;
    const settled = await this.applier.applyMany(payloadIds(job.data, 'requestId').map((requestId) => ({ companyId, requestId, job })));
    const outcomes: ApplyOutcome[] = [];
    for (const result of settled) {
      if (result.status === 'rejected') throw result.reason;
      const outcome = result.value;
      if (outcome.outcome === 'failed') this.logger.warn(outcome, 'request could not be applied; waiting for a supervisor');
      outcomes.push(outcome);
    }
    this.logger.log({ companyId, outcomes: outcomes.length, outboxId: job.data.outboxId }, 'apply job done');
    return outcomes;
  }
}
