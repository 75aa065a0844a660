import { DataSource } from 'typeorm';
import { completeOutboxJob, completeOutboxJobs, OutboxJob } from '../outbox/outbox';
import { isTransientError } from '../queue/transient-error';
import { SYSTEM_ACTOR, WorkflowRequest } from './request-workflow';
import { WorkflowEngine } from './workflow-engine';

export type ApplyOutcome =
  | { outcome: 'applied'; requestId: number }
  | { outcome: 'skipped'; requestId: number; state: string }
  | { outcome: 'failed'; requestId: number; error: string };

/** One request to apply, and the job that asked for it. */
export interface ApplyItem {
  companyId: number;
  requestId: number;
  job: OutboxJob;
}

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

  /**
   * Applies many requests in one transaction, as `apply` does each: under row locks
   * taken in (company, id) order, so concurrent batches never deadlock, with the
   * outbox rows' completion, each kind's applier (set-based where the kind has
   * `applyMany`) and one set-based APPLIED write per company. One commit instead of
   * one per request is what makes a bulk approval's applies fast.
   *
   * An outcome (or error) per item, in order. An infrastructure error is every item's
   * (the queue retries each job). Any other error may be one request's refusal, which
   * must neither fail the others nor go unrecorded: the batch is rolled back and each
   * item applied again on its own by `apply`, which records APPLY_FAILED for the one refused.
   * Items may share a job (one outbox row naming many requests): its row is marked done
   * only once every item has an outcome, so a crash half-way re-sends it (the applied
   * ones are skipped then).
   */
  async applyMany(items: readonly ApplyItem[]): Promise<Array<PromiseSettledResult<ApplyOutcome>>> {
    const settle = (item: ApplyItem, job = item.job) =>
      this.apply(item.companyId, item.requestId, job).then(
        (value): PromiseSettledResult<ApplyOutcome> => ({ status: 'fulfilled', value }),
        (reason: unknown): PromiseSettledResult<ApplyOutcome> => ({ status: 'rejected', reason }),
      );
    if (items.length === 1) return [await settle(items[0])];
    try {
      const outcomes = await this.applyTogether(items);
      return outcomes.map((value) => ({ status: 'fulfilled', value }));
    } catch (error) {
      if (isTransientError(error)) return items.map(() => ({ status: 'rejected', reason: error }));
      const settled: Array<PromiseSettledResult<ApplyOutcome>> = [];
      for (const item of items) settled.push(await settle(item, NO_OUTBOX_JOB));
      if (settled.every((result) => result.status === 'fulfilled')) {
        await this.dataSource.transaction((manager) =>
          completeOutboxJobs(
            manager,
            items.map((item) => item.job),
          ),
        );
      }
      return settled;
    }
  }

  private applyTogether(items: readonly ApplyItem[]): Promise<ApplyOutcome[]> {
    const companies = [...new Set(items.map((item) => item.companyId))].sort((a, b) => a - b);
    return this.dataSource.transaction(async (manager) => {
      const locked = new Map<number, Map<number, WorkflowRequest>>();
      for (const companyId of companies) {
        const ids = items.filter((item) => item.companyId === companyId).map((item) => item.requestId);
        const requests = await this.engine.findMany(manager, companyId, ids, true);
        locked.set(companyId, new Map(requests.map((request) => [request.id, request])));
      }
      await completeOutboxJobs(
        manager,
        items.map((item) => item.job),
      );
      const outcomes: ApplyOutcome[] = [];
      const toApply = new Map<number, WorkflowRequest[]>();
      const taken = new Set<string>();
      for (const item of items) {
        const { companyId, requestId } = item;
        const request = locked.get(companyId)!.get(requestId);
        const key = `${companyId}:${requestId}`;
        if (!request) outcomes.push({ outcome: 'skipped', requestId, state: 'missing' });
        // The same request twice in one batch (a job re-sent meanwhile): the second finds it applied.
        else if (taken.has(key)) outcomes.push({ outcome: 'skipped', requestId, state: 'applied' });
        else if (request.state !== 'approved') outcomes.push({ outcome: 'skipped', requestId, state: request.state });
        else {
          taken.add(key);
          const group = toApply.get(companyId) ?? [];
          group.push(request);
          toApply.set(companyId, group);
          outcomes.push({ outcome: 'applied', requestId });
        }
      }
      for (const [companyId, requests] of toApply) {
        for (const kindName of new Set(requests.map((request) => request.kind))) {
          const kind = this.engine.kind(kindName);
          const ofKind = requests.filter((request) => request.kind === kindName);
          if (kind.applyMany) await kind.applyMany(manager, ofKind);
          else for (const request of ofKind) await kind.apply(manager, request);
        }
        const sent = await this.engine.sendMany(
          manager,
          companyId,
          requests.map((request) => ({
            companyId,
            requestId: request.id,
            event: 'APPLIED' as const,
            actor: SYSTEM_ACTOR,
            expectedVersion: request.version,
          })),
        );
        // Impossible under the row locks; if it happens, roll every change back.
        const refused = sent.find((result) => !result.ok);
        if (refused && !refused.ok) throw new Error(`Recording APPLIED failed: ${refused.error.message}`);
      }
      return outcomes;
    });
  }
}
