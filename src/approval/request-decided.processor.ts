import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { runOutboxJob } from '../../libs/outbox/outbox';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';

/**
 * `notifications/request-decided`: the hook the notifications issue turns into an
 * e-mail (when the customer opted in to the topic). Until then it only logs and
 * marks the outbox row done; it exists because the worker refuses to start with a
 * catalogued job unhandled.
 */
@Injectable()
export class RequestDecidedProcessor implements OnModuleInit {
  private readonly logger = new Logger(RequestDecidedProcessor.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
  ) {}

  onModuleInit(): void {
    this.queues.register(JOBS.requestDecided, (job) => this.handle(job));
  }

  async handle(job: Pick<Job<{ requestId: number; companyId: number; outboxId?: number }>, 'data'>): Promise<void> {
    await runOutboxJob(this.dataSource, job, async () => {
      this.logger.log({ requestId: job.data.requestId, companyId: job.data.companyId }, 'request decided; no e-mail yet');
    });
  }
}
