import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Job, JobsOptions, Queue, RepeatOptions, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { AppConfig } from '../../config/configuration';
import { JobRef, JobRegistry } from '../../libs/queue/job-registry';
import { createRedisConnection, warnOncePerOutage } from '../../libs/queue/redis';
import { JOB_CATALOGUE } from '../jobs';
import { APP_CONFIG } from './config.module';

/**
 * How fast a crashed worker's jobs run again. A worker holds a lock on each active
 * job for `lockDuration` and renews it every half of that; a job whose lock has
 * lapsed is found stalled at the next check (every `stalledInterval`) and runs again,
 * so a SIGKILLed worker's jobs resume within about 15 s instead of BullMQ's default
 * minute. A worker whose event loop stalled longer than the lock would see its job
 * run twice; the consumers are idempotent. A job stalled `maxStalledCount` times
 * fails, and the outbox relay retries it after OUTBOX_RESEND_AFTER_MS.
 */
export const STALLED_JOB_SETTINGS = { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 2 } as const;

/**
 * BullMQ queues and workers of this process, on one Redis connection factory.
 * Queues exist in every role (the API enqueues through the outbox relay too);
 * workers only start where the worker role runs.
 */
@Injectable()
export class QueuesService implements OnApplicationShutdown {
  readonly registry = new JobRegistry(JOB_CATALOGUE);
  readonly connection: IORedis;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  /** Queues whose handlers asked to run more jobs at once than WORKER_CONCURRENCY (e.g. to batch them). */
  private readonly concurrencyOf = new Map<string, number>();
  private readonly schedulers: Array<{
    schedulerId: string;
    ref: JobRef;
    repeat: RepeatOptions;
    data: Record<string, unknown>;
    opts: JobsOptions;
  }> = [];
  private readonly logger = new Logger(QueuesService.name);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.connection = createRedisConnection(config.REDIS_URL);
    warnOncePerOutage(this.connection, (error) => this.logger.warn({ err: error.message }, 'redis unavailable; queues wait for it'));
  }

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new Queue(name, { connection: this.connection, prefix: this.config.QUEUE_PREFIX, defaultJobOptions: this.jobOptions() });
      this.queues.set(name, queue);
    }
    return queue;
  }

  /**
   * A job that throws is retried with exponential backoff (JOB_ATTEMPTS, JOB_BACKOFF_MS):
   * consumers rethrow connection and infrastructure errors (isTransientError) for this.
   */
  private jobOptions() {
    return {
      attempts: this.config.JOB_ATTEMPTS,
      backoff: { type: 'exponential', delay: this.config.JOB_BACKOFF_MS },
      removeOnComplete: { count: 5_000, age: 24 * 3600 },
      removeOnFail: { age: 14 * 24 * 3600 },
    };
  }

  /** `concurrency`: jobs of this queue run at once, at least (for a handler that batches the jobs it is given). */
  register(ref: JobRef, handler: (job: Job) => Promise<unknown>, options: { concurrency?: number } = {}): void {
    this.registry.register(ref, handler);
    if (options.concurrency) this.concurrencyOf.set(ref.queue, Math.max(options.concurrency, this.concurrencyOf.get(ref.queue) ?? 0));
  }

  /**
   * Declares a BullMQ job scheduler; `startSchedulers` registers it. A scheduler is
   * one Redis entry per id, so every worker process upserting the same id still
   * makes one job per firing, across any number of processes.
   */
  schedule(schedulerId: string, ref: JobRef, repeat: RepeatOptions, data: Record<string, unknown>, opts: JobsOptions = {}): void {
    this.schedulers.push({ schedulerId, ref, repeat, data, opts });
  }

  /** Upserts every declared scheduler (a changed pattern replaces the old one). */
  async startSchedulers(): Promise<void> {
    for (const { schedulerId, ref, repeat, data, opts } of this.schedulers) {
      await this.queue(ref.queue).upsertJobScheduler(schedulerId, repeat, { name: ref.name, data, opts });
    }
    this.logger.log({ schedulers: this.schedulers.map((scheduler) => scheduler.schedulerId) }, 'job schedulers registered');
  }

  /**
   * One worker per queue, each running up to `concurrency` jobs at once (more where a
   * handler asked for more); a job goes to the handler registered for its name.
   */
  startWorkers(concurrency: number): void {
    this.registry.assertComplete();
    for (const queueName of this.registry.queues()) {
      const worker = new Worker(queueName, (job) => this.registry.handlerFor(queueName, job.name)(job), {
        connection: this.connection.duplicate(),
        prefix: this.config.QUEUE_PREFIX,
        concurrency: Math.max(concurrency, this.concurrencyOf.get(queueName) ?? 0),
        ...STALLED_JOB_SETTINGS,
      });
      worker.on('failed', (job, error) =>
        this.logger.warn({ queue: queueName, jobId: job?.id, attempt: job?.attemptsMade, err: error.message }, 'job failed'),
      );
      worker.on('error', (error) => this.logger.error({ queue: queueName, err: error.message }, 'worker error'));
      this.workers.push(worker);
    }
    this.logger.log({ queues: this.registry.queues() }, 'workers started');
  }

  /** Workers finish their active jobs; called before the database closes (WorkerRunner). */
  async closeWorkers(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.closeWorkers();
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
    await Promise.all(this.workers.map((worker) => worker.disconnect()));
    this.connection.disconnect();
  }
}
