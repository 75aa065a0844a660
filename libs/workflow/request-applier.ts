import { DataSource } from 'typeorm';
import { completeOutboxJob, OutboxJob } from '../outbox/outbox';
import { isTransientError } from '../queue/transient-error';
import { SYSTEM_ACTOR } from './request-workflow';
import { WorkflowEngine } from './workflow-engine';

export type ApplyOutcome =
  | { outcome: 'applied'; requestId: number }
  | { outcome: 'skipped'; requestId: number; state: string }
  | { outcome: 'failed'; requestId: number; error: string };

/** A job carrying no outbox row: nothing to mark done. */
const NO_OUTBOX_JOB: OutboxJob = { data: {} };

/**
 * Runs the applier of an approved request in the worker. The change, the APPLIED
 * transition and the outbox row's completion commit together, under a row lock on
 * the request, so a replayed or duplicated job waits and then finds it applied: it
 * changes nothing twice.
 *
 * Errors are sorted. A connection or infrastructure error (see isTransientError)
 * is rethrown with nothing recorded, so the queue retries the job with backoff. Any
 * other applier error is the applier's refusal: it rolls its work back and is
 * recorded as APPLY_FAILED (error text kept, outbox row done) in a transaction of
 * its own; a supervisor's RETRY queues it again.
 */
export class RequestApplier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
  ) {}

  async apply(companyId: number, requestId: number, job: OutboxJob = NO_OUTBOX_JOB): Promise<ApplyOutcome> {
    let appliedFrom: number | undefined;
    try {
      const skipped = await this.dataSource.transaction(async (manager) => {
        const request = await this.engine.find(manager, companyId, requestId, undefined, true);
        await completeOutboxJob(manager, job);
        if (!request) return { outcome: 'skipped', requestId, state: 'missing' } as const;
        if (request.state !== 'approved') return { outcome: 'skipped', requestId, state: request.state } as const;
        appliedFrom = request.version;
        await this.engine.kind(request.kind).apply(manager, request);
        const sent = await this.engine.send(manager, {
          companyId,
          requestId,
          event: 'APPLIED',
          actor: SYSTEM_ACTOR,
          expectedVersion: request.version,
        });
        // Impossible under the row lock; if it happens, roll the change back.
        if (!sent.ok) throw new Error(`Recording APPLIED failed: ${sent.error.message}`);
        return undefined;
      });
      return skipped ?? { outcome: 'applied', requestId };
    } catch (error) {
      // Could not even read the request, or the infrastructure failed: let the queue retry.
      if (appliedFrom === undefined || isTransientError(error)) throw error;
      const text = error instanceof Error ? error.message : String(error);
      const recorded = await this.dataSource.transaction(async (manager) => {
        const request = await this.engine.find(manager, companyId, requestId, undefined, true);
        if (!request || request.state !== 'approved') return false;
        const sent = await this.engine.send(manager, {
          companyId,
          requestId,
          event: { type: 'APPLY_FAILED', error: text },
          actor: SYSTEM_ACTOR,
          expectedVersion: request.version,
        });
        if (sent.ok) await completeOutboxJob(manager, job);
        return sent.ok;
      });
      if (!recorded) throw error;
      return { outcome: 'failed', requestId, error: text };
    }
  }
}
