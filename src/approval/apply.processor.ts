import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { JobBatcher } from '../../libs/queue/job-batcher';
import { ApplyItem, ApplyOutcome, RequestApplier } from '../../libs/workflow/request-applier';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';

export type ApplyJob = Pick<Job<{ requestId: number; companyId: number; outboxId?: number }>, 'data'>;

/**
 * Apply jobs gathered into one transaction (RequestApplier.applyMany): one commit for
 * up to APPLY_BATCH_MAX requests instead of one each. Two batches run at once, so
 * one is written while the next gathers; the requests queue runs enough jobs at once
 * (APPLY_CONCURRENCY) to fill both.
 */
export const APPLY_BATCH_MAX = 250;
const APPLY_BATCHES_IN_FLIGHT = 2;
export const APPLY_CONCURRENCY = APPLY_BATCH_MAX * APPLY_BATCHES_IN_FLIGHT;

/**
 * `requests/apply`: runs the request kind's applier (see RequestApplier for idempotency,
 * error sorting and the outbox row's completion), the jobs running at the same time
 * in one transaction.
 */
@Injectable()
export class ApplyProcessor implements OnModuleInit {
  private readonly logger = new Logger(ApplyProcessor.name);
  private readonly batcher: JobBatcher<ApplyItem, ApplyOutcome>;

  constructor(
    private readonly applier: RequestApplier,
    private readonly queues: QueuesService,
  ) {
    this.batcher = new JobBatcher((items) => this.applier.applyMany(items), {
      maxSize: APPLY_BATCH_MAX,
      maxInFlight: APPLY_BATCHES_IN_FLIGHT,
    });
  }

  onModuleInit(): void {
    this.queues.register(JOBS.applyRequest, (job) => this.handle(job), { concurrency: APPLY_CONCURRENCY });
  }

  async handle(job: ApplyJob): Promise<ApplyOutcome> {
    const outcome = await this.batcher.add({ companyId: job.data.companyId, requestId: job.data.requestId, job });
    if (outcome.outcome === 'failed') this.logger.warn(outcome, 'request could not be applied; waiting for a supervisor');
    else this.logger.log(outcome, 'apply job done');
    return outcome;
  }
}
