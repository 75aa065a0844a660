import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { JobBatcher } from '../../libs/queue/job-batcher';
import { OUTBOX_JOB_BATCHES, outboxJobBatcher } from '../../libs/outbox/outbox';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';

type ReadingExportJob = Pick<Job<{ readingId: number; outboxId?: number }>, 'data'>;

/**
 * `integration/export-reading`: an applied customer reading for the billing back
 * office. The back office pulls approved readings (integration issue); until that
 * API exists this only logs the reading id, and marks the outbox row done so the
 * relay stops re-sending it. Jobs running at the same time share one transaction.
 */
@Injectable()
export class ReadingExportProcessor implements OnModuleInit {
  private readonly logger = new Logger(ReadingExportProcessor.name);
  private readonly batcher: JobBatcher<ReadingExportJob, void | undefined>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
  ) {
    this.batcher = outboxJobBatcher(dataSource, async (_manager, job: ReadingExportJob) => {
      this.logger.log({ readingId: job.data.readingId }, 'reading ready for the billing back office');
    });
  }

  onModuleInit(): void {
    this.queues.register(JOBS.exportReading, (job) => this.handle(job), { concurrency: OUTBOX_JOB_BATCHES.concurrency });
  }

  async handle(job: ReadingExportJob): Promise<void> {
    await this.batcher.add(job);
  }
}
