import { Job } from 'bullmq';

/** A kind of background job: the queue it goes to and its name there. */
export interface JobRef {
  readonly queue: string;
  readonly name: string;
}

export type JobHandler = (job: Job) => Promise<unknown>;

/**
 * Maps each job kind to the code that runs it. Modules register their handlers
 * at start-up; the worker refuses to start while a known job kind has none.
 */
export class JobRegistry {
  private readonly handlers = new Map<string, JobHandler>();

  constructor(private readonly catalogue: readonly JobRef[]) {}

  register(ref: JobRef, handler: JobHandler): void {
    const key = this.key(ref);
    if (!this.catalogue.some((known) => this.key(known) === key)) {
      throw new Error(`Job ${key} is not in the job catalogue; add it there first`);
    }
    if (this.handlers.has(key)) throw new Error(`Job ${key} already has a handler`);
    this.handlers.set(key, handler);
  }

  /** Throws naming every catalogued job kind that nobody handles. */
  assertComplete(): void {
    const missing = this.catalogue.filter((ref) => !this.handlers.has(this.key(ref))).map((ref) => this.key(ref));
    if (missing.length > 0) throw new Error(`No handler registered for job(s): ${missing.join(', ')}`);
  }

  queues(): string[] {
    return [...new Set(this.catalogue.map((ref) => ref.queue))];
  }

  handlerFor(queue: string, name: string): JobHandler {
    const handler = this.handlers.get(this.key({ queue, name }));
    if (!handler) throw new Error(`No handler for job ${queue}/${name}`);
    return handler;
  }

  private key(ref: JobRef): string {
    return `${ref.queue}/${ref.name}`;
  }
}
