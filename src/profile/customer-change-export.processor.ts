import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { runOutboxJob } from '../../libs/outbox/outbox';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';

/**
 * `integration/export-customer-change`: an applied data change or e-invoice switch for
 * the billing back office. The back office pulls changes through the integration API
 * (its own issue); until that exists this only logs the request id, and marks the
 * outbox row done so the relay stops re-sending it.
 */
@Injectable()
export class CustomerChangeExportProcessor implements OnModuleInit {
  private readonly logger = new Logger(CustomerChangeExportProcessor.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
  ) {}

  onModuleInit(): void {
    this.queues.register(JOBS.exportCustomerChange, (job) => this.handle(job));
  }

  async handle(job: Pick<Job<{ requestId: number; kind: string; outboxId?: number }>, 'data'>): Promise<void> {
    await runOutboxJob(this.dataSource, job, async () => {
      this.logger.log({ requestId: job.data.requestId, kind: job.data.kind }, 'customer change ready for the billing back office');
    });
  }
}
