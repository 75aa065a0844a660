import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Actor, StaffRole } from '../../libs/workflow/request-workflow';
import { Result, WorkflowError } from '../../libs/workflow/workflow-errors';
import { Transitioned, WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { RequestKinds } from './request-kind';

export interface ClerkRef {
  id: number;
  role: StaffRole;
}

export interface BulkItem {
  requestId: number;
  expectedVersion: number;
}

export type BulkRefusal = WorkflowError | { code: 'flagged' | 'wrong_kind'; requestId: number; message: string };
export type BulkOutcome = { requestId: number; ok: true; version: number } | { requestId: number; ok: false; error: BulkRefusal };

/** Requests a bulk approval decides in one transaction (one locking read, one write). */
const BULK_CHUNK = 1_000;
export const BULK_MAX = 10_000;

/**
 * A clerk's operations on requests: claim, release, approve, reject, comment,
 * retry (supervisor) and bulk approval. Permissions and states are the engine's;
 * this names the use cases and scopes them to the clerk's company.
 */
@Injectable()
export class ReviewService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly kinds: RequestKinds,
  ) {}

  claim(companyId: number, clerk: ClerkRef, requestId: number, expectedVersion: number): Promise<Result<Transitioned>> {
    return this.engine.send(this.dataSource.manager, { companyId, requestId, event: 'CLAIM', actor: this.actor(clerk), expectedVersion });
  }

  release(companyId: number, clerk: ClerkRef, requestId: number, expectedVersion: number): Promise<Result<Transitioned>> {
    return this.engine.send(this.dataSource.manager, { companyId, requestId, event: 'RELEASE', actor: this.actor(clerk), expectedVersion });
  }

  approve(companyId: number, clerk: ClerkRef, requestId: number, expectedVersion: number, comment?: string): Promise<Result<Transitioned>> {
    return this.engine.send(this.dataSource.manager, {
      companyId,
      requestId,
      event: 'APPROVE',
      actor: this.actor(clerk),
      expectedVersion,
      comment,
    });
  }

  /** The reason is what the customer reads ("elutasítva: …"). */
  reject(companyId: number, clerk: ClerkRef, requestId: number, expectedVersion: number, reason: string): Promise<Result<Transitioned>> {
    return this.engine.send(this.dataSource.manager, {
      companyId,
      requestId,
      event: { type: 'REJECT', reason },
      actor: this.actor(clerk),
      expectedVersion,
    });
  }

  /** Supervisor only: back to approved, which queues the applier again. */
  retry(companyId: number, clerk: ClerkRef, requestId: number, expectedVersion: number): Promise<Result<Transitioned>> {
    return this.engine.send(this.dataSource.manager, { companyId, requestId, event: 'RETRY', actor: this.actor(clerk), expectedVersion });
  }

  /** An internal note in the request's log (not shown to the customer); changes no state or version. */
  comment(companyId: number, clerk: ClerkRef, requestId: number, comment: string): Promise<Result<{ requestId: number }>> {
    return this.dataSource.transaction((manager) =>
      this.engine.comment(manager, { companyId, requestId, actor: this.actor(clerk), comment }),
    );
  }

  /**
   * Approves the selected requests, refusing flagged ones and kinds that are not
   * bulk-approvable (RequestPresentation.bulkApprovable: a data change deserves a look of its own).
   * Each request is decided on its own (its machine, its version, its transition and
   * outbox rows), so one stale or flagged request does not hold up the others; they
   * are written set-based, BULK_CHUNK per transaction (WorkflowEngine.sendMany).
   */
  async bulkApprove(companyId: number, clerk: ClerkRef, items: readonly BulkItem[]): Promise<BulkOutcome[]> {
    if (items.length > BULK_MAX) throw new RangeError(`At most ${BULK_MAX} requests at once`);
    const outcomes: BulkOutcome[] = [];
    for (let start = 0; start < items.length; start += BULK_CHUNK) {
      const chunk = items.slice(start, start + BULK_CHUNK);
      const results = await this.dataSource.transaction((manager) =>
        this.engine.sendMany<BulkRefusal>(
          manager,
          companyId,
          chunk.map((item) => ({
            companyId,
            requestId: item.requestId,
            event: 'APPROVE',
            actor: this.actor(clerk),
            expectedVersion: item.expectedVersion,
            comment: 'bulk approval',
            precondition: (request) => {
              if (request.flagged)
                return { code: 'flagged', requestId: item.requestId, message: 'Flagged requests are approved one by one' };
              if (!this.kinds.get(request.kind).bulkApprovable) {
                return { code: 'wrong_kind', requestId: item.requestId, message: `Request ${item.requestId} is approved one by one` };
              }
              return undefined;
            },
          })),
        ),
      );
      results.forEach((result, i) =>
        outcomes.push(
          result.ok
            ? { requestId: chunk[i].requestId, ok: true, version: result.value.version }
            : { requestId: chunk[i].requestId, ok: false, error: result.error },
        ),
      );
    }
    return outcomes;
  }

  private actor(clerk: ClerkRef): Actor {
    return { kind: 'clerk', id: clerk.id, role: clerk.role };
  }
}
