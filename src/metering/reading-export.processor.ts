import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { runOutboxJob } from '../../libs/outbox/outbox';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';

/**
 * `integration/export-reading`: an applied customer reading for the billing back
 * office. The back office pulls approved readings (integration issue); until that
 * API exists this only logs the reading id, and marks the outbox row done so the
 * relay stops re-sending it.
 */
@Injectable()
export class ReadingExportProcessor implements OnModuleInit {
  private readonly logger = new Logger(ReadingExportProcessor.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
  ) {}

  onModuleInit(): void {
    this.queues.register(JOBS.exportReading, (job) => this.handle(job));
  }

  async handle(job: Pick<Job<{ readingId: number; outboxId?: number }>, 'data'>): Promise<void> {
    await runOutboxJob(this.dataSource, job, async () => {
      this.logger.log({ readingId: job.data.readingId }, 'reading ready for the billing back office');
    });
  }
}
