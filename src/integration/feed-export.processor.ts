import { Injectable, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { OUTBOX_JOB_BATCHES, OutboxJob, outboxJobBatcher, payloadIds, runOutboxJob } from '../../libs/outbox/outbox';
import { JobBatcher } from '../../libs/queue/job-batcher';
import { QueuesService } from '../core/queues.service';
import { describeAccountDeletion } from '../identity/account-deletion-export';
import { JOBS } from '../jobs';
import { describeAppliedReadings } from '../metering/reading-export';
import { describePayment } from '../payments/payment-export';
import { describeCustomerChange } from '../profile/customer-change-export';
import { appendFeedItem, appendFeedItems } from './feed-writer';
import { FeedEntry } from './feed-types';
import { WebhookDispatcher } from './webhook-dispatcher.service';

type ExportJob<T> = Pick<Job<T & { outboxId?: number }>, 'data'>;

/** An export-reading job: the readings one apply transaction wrote (`readingIds`), or one (`readingId`, rows from before batches). */
type ReadingExport = { readingIds?: number[]; readingId?: number };

/**
 * The export jobs of what the portal decided (applied readings and customer changes,
 * recorded payments and clerks' allocations of flagged ones, deleted accounts) become
 * items of the integration feed. Each producing module describes its own event
 * (metering/reading-export.ts, …); this module owns the feed, so the dependency points
 * from integration to the producers and never back. The item is written in the
 * transaction that completes the outbox row, and is unique per source event: a re-run or
 * duplicate job adds nothing. Webhook deliveries are queued after the commit. Reading
 * exports come ten thousand at once after a bulk approval, one job per apply transaction
 * naming its readings: those running at the same time share one transaction.
 */
@Injectable()
export class FeedExportProcessor implements OnModuleInit {
  private readonly readings: JobBatcher<ExportJob<ReadingExport>, number[] | undefined>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
    private readonly webhooks: WebhookDispatcher,
  ) {
    this.readings = outboxJobBatcher(dataSource, async (manager, job: ExportJob<ReadingExport>) => {
      const readings = await describeAppliedReadings(manager, payloadIds(job.data, 'readingId'));
      return appendFeedItems(
        manager,
        readings.map(({ companyId, appliedAt, payload }) => ({
          companyId,
          type: 'reading.applied' as const,
          sourceKey: `reading:${payload.readingId}`,
          occurredAt: appliedAt,
          payload,
        })),
      );
    });
  }

  onModuleInit(): void {
    this.queues.register(JOBS.exportReading, (job) => this.reading(job as Job<ReadingExport>), {
      concurrency: OUTBOX_JOB_BATCHES.concurrency,
    });
    this.queues.register(JOBS.exportCustomerChange, (job) =>
      this.customerChange(job as Job<{ companyId: number; requestId: number; kind: string }>),
    );
    this.queues.register(JOBS.exportPayment, (job) => this.payment(job as Job<{ paymentId: number; companyId: number }>));
    this.queues.register(JOBS.exportPaymentAllocation, (job) =>
      this.paymentAllocation(job as Job<{ paymentId: number; companyId: number }>),
    );
    this.queues.register(JOBS.exportAccountDeletion, (job) =>
      this.accountDeletion(job as Job<{ companyId: number; customerId: number; deletedAt: string }>),
    );
  }

  async reading(job: ExportJob<ReadingExport>): Promise<void> {
    for (const companyId of (await this.readings.add(job)) ?? []) await this.webhooks.dispatch(companyId);
  }

  async customerChange(job: ExportJob<{ companyId: number; requestId: number; kind: string }>): Promise<void> {
    await this.append(job, async (manager) => {
      const change = await describeCustomerChange(manager, job.data.companyId, job.data.requestId, job.data.kind);
      if (!change) return null;
      const type = change.kind === 'e_invoice' ? 'e_invoice.consent' : 'customer_data.changed';
      return {
        companyId: change.companyId,
        type,
        sourceKey: `request:${job.data.requestId}`,
        occurredAt: change.appliedAt,
        payload: change.payload,
      };
    });
  }

  async payment(job: ExportJob<{ paymentId: number; companyId: number }>): Promise<void> {
    await this.append(job, async (manager) => {
      const payment = await describePayment(manager, job.data.companyId, job.data.paymentId);
      if (!payment) return null;
      const { companyId, confirmedAt, payload } = payment;
      return { companyId, type: 'payment.recorded', sourceKey: `payment:${payload.paymentId}`, occurredAt: confirmedAt, payload };
    });
  }

  /** A flagged payment a clerk allocated by hand (once: the allocation clears the flag): the payment with its allocations now. */
  async paymentAllocation(job: ExportJob<{ paymentId: number; companyId: number }>): Promise<void> {
    await this.append(job, async (manager) => {
      const payment = await describePayment(manager, job.data.companyId, job.data.paymentId);
      if (!payment) return null;
      const { companyId, updatedAt, payload } = payment;
      return { companyId, type: 'payment.allocated', sourceKey: `payment-allocation:${payload.paymentId}`, occurredAt: updatedAt, payload };
    });
  }

  async accountDeletion(job: ExportJob<{ companyId: number; customerId: number; deletedAt: string }>): Promise<void> {
    const { companyId, customerId } = job.data;
    const deletedAt = new Date(job.data.deletedAt);
    await this.append(job, async (manager) => {
      const deletion = await describeAccountDeletion(manager, { companyId, customerId }, deletedAt);
      if (!deletion) return null;
      // A customer may register and delete again: the deletion's time tells the events apart.
      return {
        companyId,
        type: 'account.deleted',
        sourceKey: `account-deletion:${customerId}:${deletedAt.toISOString()}`,
        occurredAt: deletedAt,
        payload: deletion.payload,
      };
    });
  }

  /** Describes and appends in the outbox row's transaction; a source that is gone (or not of that kind) adds nothing. */
  private async append(job: OutboxJob, describe: (manager: EntityManager) => Promise<FeedEntry | null>): Promise<void> {
    const appended = await runOutboxJob(this.dataSource, job, (manager) => this.appendIn(manager, () => describe(manager)));
    if (appended) await this.webhooks.dispatch(appended);
  }

  /** The company whose feed got the item, or null when the source is gone or the item was there already. */
  private async appendIn(manager: EntityManager, describe: () => Promise<FeedEntry | null>): Promise<number | null> {
    const entry = await describe();
    if (!entry) return null;
    return (await appendFeedItem(manager, entry)) ? entry.companyId : null;
  }
}
