import { EntityManager } from 'typeorm';
import { SYSTEM_ACTOR, WorkflowState } from '../../libs/workflow/request-workflow';
import { Result, fail, ok } from '../../libs/workflow/workflow-errors';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';

/** The states in which a request is still open: a new one about the same subject replaces it or waits for it. */
const OPEN_STATES: readonly WorkflowState[] = ['submitted', 'in_review', 'approved', 'apply_failed'];

export type AlreadyInReview = { code: 'already_in_review'; requestId: number; state: WorkflowState; message: string };

/** A competing submission got in first (a clerk claimed the earlier request meanwhile): read again and decide afresh. */
export class ReplacedMeanwhile extends Error {}

/**
 * Submits a customer's request of `kind` about `subjectRef`, in the caller's
 * transaction, keeping one open request per subject: an advisory lock on the subject
 * serialises submissions; an unreviewed request is withdrawn by the system and
 * replaced; one a clerk has taken up (or decided and not yet applied) refuses the new one.
 * Throws ReplacedMeanwhile when the earlier request changed under us (retry the transaction).
 */
export async function submitReplacingUnreviewed(
  manager: EntityManager,
  engine: WorkflowEngine,
  input: { companyId: number; customerId: number; kind: string; subjectRef: string; payload: Record<string, unknown> },
): Promise<Result<{ requestId: number; version: number; replacedRequestId: number | null }, AlreadyInReview>> {
  const { companyId, customerId, kind, subjectRef } = input;
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`${kind}:${companyId}:${subjectRef}`]);
  const open: Array<{ id: string; state: WorkflowState; version: number }> = await manager.query(
    `SELECT id, state, version FROM requests
      WHERE company_id = $1 AND customer_id = $2 AND kind = $3 AND subject_ref = $4 AND state = ANY($5::text[])
      ORDER BY id DESC`,
    [companyId, customerId, kind, subjectRef, OPEN_STATES],
  );
  const reviewed = open.find((request) => request.state !== 'submitted');
  if (reviewed) {
    return fail({
      code: 'already_in_review',
      requestId: Number(reviewed.id),
      state: reviewed.state,
      message: 'Your earlier request is being processed by our staff; send a new one when it is decided',
    });
  }
  let replacedRequestId: number | null = null;
  for (const earlier of open) {
    const withdrawn = await engine.send(manager, {
      companyId,
      requestId: Number(earlier.id),
      event: 'WITHDRAW',
      actor: SYSTEM_ACTOR,
      expectedVersion: earlier.version,
      comment: 'replaced by a newer request of the customer',
    });
    if (!withdrawn.ok) throw new ReplacedMeanwhile();
    replacedRequestId = Number(earlier.id);
  }
  const created = await engine.submit(manager, {
    companyId,
    customerId,
    kind,
    payload: input.payload,
    flagged: false,
    actor: { kind: 'customer', id: customerId },
  });
  return ok({ requestId: created.requestId, version: created.version, replacedRequestId });
}

/** Runs `work` in a transaction, again (up to three times) when it lost a race with ReplacedMeanwhile. */
export async function retryingReplaced<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!(error instanceof ReplacedMeanwhile) || attempt === 3) throw error;
    }
  }
}
