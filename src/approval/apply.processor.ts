import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { ApplyOutcome, RequestApplier } from '../../libs/workflow/request-applier';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';

export type ApplyJob = Pick<Job<{ requestId: number; companyId: number; outboxId?: number }>, 'data'>;

/**
 * `requests/apply`: runs the request kind's applier (see RequestApplier for idempotency,
 * error sorting and the outbox row's completion).
 */
@Injectable()
export class ApplyProcessor implements OnModuleInit {
  private readonly logger = new Logger(ApplyProcessor.name);

  constructor(
    private readonly applier: RequestApplier,
    private readonly queues: QueuesService,
  ) {}

  onModuleInit(): void {
    this.queues.register(JOBS.applyRequest, (job) => this.handle(job));
  }

  async handle(job: ApplyJob): Promise<ApplyOutcome> {
    const outcome = await this.applier.apply(job.data.companyId, job.data.requestId, job);
    if (outcome.outcome === 'failed') this.logger.warn(outcome, 'request could not be applied; waiting for a supervisor');
    else this.logger.log(outcome, 'apply job done');
    return outcome;
  }
}
