import { AnyMachineSnapshot, StateValue, initialTransition, transition } from 'xstate';
import { DataSource, EntityManager } from 'typeorm';
import { addToOutbox } from '../outbox/outbox';
import { actorRefusal } from './actor-policy';
import {
  Actor,
  RequestKind,
  WORKFLOW_EVENTS,
  WORKFLOW_STATES,
  WorkflowContext,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowRequest,
  WorkflowState,
} from './request-workflow';
import { Result, actorNotAllowed, eventNotAccepted, fail, invalidEvent, notFound, ok, versionConflict } from './workflow-errors';

export interface SubmitInput {
  companyId: number;
  customerId: number;
  kind: string;
  subjectRef: string;
  payload: Record<string, unknown>;
  flagged: boolean;
  actor: Actor;
  comment?: string;
}

/** An event as callers send it: the type plus `reason` (REJECT) or `error` (APPLY_FAILED). */
export type EventInput = { type: WorkflowEventType; reason?: string; error?: string };

export interface SendInput {
  companyId: number;
  requestId: number;
  event: EventInput | WorkflowEventType;
  actor: Actor;
  expectedVersion: number;
  comment?: string;
}

export interface Transitioned {
  requestId: number;
  from: WorkflowState;
  to: WorkflowState;
  version: number;
}

interface RequestRow {
  id: string;
  company_id: number;
  customer_id: string;
  kind: string;
  state: WorkflowState;
  snapshot: { value: StateValue; context: WorkflowContext };
  machine_version: number;
  version: number;
  subject_ref: string;
  payload: Record<string, unknown>;
  flagged: boolean;
  assigned_clerk_id: number | null;
  created_at: Date;
  updated_at: Date;
}

const COMMENT_MAX = 2000;

export function toWorkflowRequest(row: RequestRow): WorkflowRequest {
  return {
    id: Number(row.id),
    companyId: row.company_id,
    customerId: Number(row.customer_id),
    kind: row.kind,
    state: row.state,
    version: row.version,
    machineVersion: row.machine_version,
    subjectRef: row.subject_ref,
    payload: row.payload,
    flagged: row.flagged,
    assignedClerkId: row.assigned_clerk_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The request engine: loads a request's persisted snapshot, computes the next one
 * with xstate's pure `transition`, and writes state, snapshot, machine version,
 * an append-only transition row and the outbox rows of the target state's
 * effects in one transaction. `UPDATE … WHERE version = expected` refuses a
 * stale write: of two clerks deciding at once, one wins and one gets a conflict.
 *
 * Each call runs in the caller's transaction (pass its manager) or in one of its own.
 */
export class WorkflowEngine {
  private readonly kinds = new Map<string, RequestKind>();

  constructor(private readonly dataSource: DataSource) {}

  register(kind: RequestKind): void {
    if (this.kinds.has(kind.kind)) throw new Error(`Request kind ${kind.kind} is already registered`);
    const states = Object.keys(kind.machine.states);
    const unknown = states.filter((state) => !(WORKFLOW_STATES as readonly string[]).includes(state));
    if (unknown.length > 0) throw new Error(`Machine of ${kind.kind} has states the requests table cannot hold: ${unknown.join(', ')}`);
    this.kinds.set(kind.kind, kind);
  }

  kind(name: string): RequestKind {
    const kind = this.kinds.get(name);
    if (!kind) throw new Error(`Unknown request kind ${name}`);
    return kind;
  }

  /** Creates a request in its machine's initial state (a SUBMIT transition row with no from-state). */
  async submit(manager: EntityManager | undefined, input: SubmitInput): Promise<Transitioned> {
    if (!manager) return this.dataSource.transaction((tx) => this.submit(tx, input));
    const kind = this.kind(input.kind);
    const [snapshot] = initialTransition(kind.machine);
    const state = this.stateOf(snapshot);
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO requests (company_id, customer_id, kind, state, snapshot, machine_version, subject_ref, payload, flagged)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      [
        input.companyId,
        input.customerId,
        input.kind,
        state,
        kind.machine.getPersistedSnapshot(snapshot),
        kind.machineVersion,
        input.subjectRef,
        input.payload,
        input.flagged,
      ],
    );
    const requestId = Number(rows[0].id);
    await this.record(manager, input.companyId, requestId, null, state, 'SUBMIT', input.actor, input.comment);
    await this.writeEffects(manager, kind, input.companyId, requestId, state);
    return { requestId, from: state, to: state, version: 1 };
  }

  /**
   * Sends one event. Refusals come back as values: not found (another company's,
   * or for a customer another customer's request), actor not allowed, stale
   * version, event not accepted in this state, event missing its data.
   */
  async send(manager: EntityManager | undefined, input: SendInput): Promise<Result<Transitioned>> {
    if (!manager) return this.dataSource.transaction((tx) => this.send(tx, input));
    const event: EventInput = typeof input.event === 'string' ? { type: input.event } : input.event;
    const { requestId, actor } = input;
    if (!(WORKFLOW_EVENTS as readonly string[]).includes(event.type))
      return fail(invalidEvent(requestId, event.type, `Unknown event ${event.type}`));
    const comment = input.comment?.trim() || undefined;
    if (comment && comment.length > COMMENT_MAX)
      return fail(invalidEvent(requestId, event.type, `A comment is at most ${COMMENT_MAX} characters`));

    const request = await this.load(manager, input.companyId, requestId, actor);
    if (!request) return fail(notFound(requestId));
    // A stale view comes first: after a colleague's decision the request may be assigned
    // to them, and "someone else decided meanwhile" is the answer that helps.
    if (request.version !== input.expectedVersion) return fail(versionConflict(requestId, input.expectedVersion, request.version));
    const refusal = actorRefusal(event.type, actor, request);
    if (refusal) return fail(actorNotAllowed(requestId, event.type, refusal));

    const machineEvent = this.toMachineEvent(event, actor);
    if (typeof machineEvent === 'string') return fail(invalidEvent(requestId, event.type, machineEvent));
    const kind = this.kind(request.row.kind);
    if (request.row.machine_version !== kind.machineVersion) {
      throw new Error(
        `Request ${requestId} was written by ${kind.kind} machine v${request.row.machine_version}; this build runs v${kind.machineVersion}`,
      );
    }
    const current: AnyMachineSnapshot = kind.machine.resolveState({
      value: request.row.snapshot.value,
      context: request.row.snapshot.context,
    });
    if (!current.can(machineEvent)) return fail(eventNotAccepted(requestId, request.state, event.type));
    const [next] = transition(kind.machine, current, machineEvent);
    const to = this.stateOf(next);
    const context = next.context as WorkflowContext;

    const updated: [unknown[], number] = await manager.query(
      `UPDATE requests SET state = $1, snapshot = $2, machine_version = $3, version = version + 1,
              assigned_clerk_id = $4, updated_at = now()
        WHERE company_id = $5 AND id = $6 AND version = $7`,
      [
        to,
        kind.machine.getPersistedSnapshot(next),
        kind.machineVersion,
        context.assigneeId,
        input.companyId,
        requestId,
        input.expectedVersion,
      ],
    );
    if (updated[1] === 0) {
      const actual: Array<{ version: number }> = await manager.query(`SELECT version FROM requests WHERE company_id = $1 AND id = $2`, [
        input.companyId,
        requestId,
      ]);
      return fail(versionConflict(requestId, input.expectedVersion, actual[0]?.version ?? input.expectedVersion));
    }
    const note = comment ?? (event.type === 'REJECT' ? event.reason : event.type === 'APPLY_FAILED' ? event.error : undefined);
    await this.record(manager, input.companyId, requestId, request.state, to, event.type, actor, note);
    await this.writeEffects(manager, kind, input.companyId, requestId, to);
    return ok({ requestId, from: request.state, to, version: input.expectedVersion + 1 });
  }

  /**
   * A clerk's note in the request's history: a transition row with event COMMENT
   * and the same from- and to-state. It changes neither the state nor the version,
   * so a note never makes a colleague's decision stale.
   */
  async comment(
    manager: EntityManager | undefined,
    input: { companyId: number; requestId: number; actor: Actor; comment: string },
  ): Promise<Result<{ requestId: number }>> {
    if (!manager) return this.dataSource.transaction((tx) => this.comment(tx, input));
    const text = input.comment.trim();
    if (input.actor.kind !== 'clerk') return fail(actorNotAllowed(input.requestId, 'COMMENT', 'Only a clerk can comment a request'));
    if (text.length === 0 || text.length > COMMENT_MAX) {
      return fail(invalidEvent(input.requestId, 'COMMENT', `A comment is 1 to ${COMMENT_MAX} characters`));
    }
    const request = await this.load(manager, input.companyId, input.requestId, input.actor);
    if (!request) return fail(notFound(input.requestId));
    await this.record(manager, input.companyId, input.requestId, request.state, request.state, 'COMMENT', input.actor, text);
    return ok({ requestId: input.requestId });
  }

  /** Reads one request, scoped by company (and by customer for a customer actor). */
  async find(manager: EntityManager, companyId: number, requestId: number, actor?: Actor, lock = false): Promise<WorkflowRequest | null> {
    const found = await this.load(manager, companyId, requestId, actor, lock);
    return found ? toWorkflowRequest(found.row) : null;
  }

  private async load(manager: EntityManager, companyId: number, requestId: number, actor?: Actor, lock = false) {
    const customerOnly = actor?.kind === 'customer';
    const rows: RequestRow[] = await manager.query(
      `SELECT * FROM requests WHERE company_id = $1 AND id = $2 ${customerOnly ? 'AND customer_id = $3' : ''} ${lock ? 'FOR UPDATE' : ''}`,
      customerOnly ? [companyId, requestId, actor.id] : [companyId, requestId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { row, state: row.state, version: row.version, assignedClerkId: row.assigned_clerk_id };
  }

  private toMachineEvent(event: EventInput, actor: Actor): WorkflowEvent | string {
    switch (event.type) {
      case 'REJECT': {
        const reason = event.reason?.trim() ?? '';
        if (reason.length === 0) return 'A rejection needs a reason the customer can read';
        if (reason.length > COMMENT_MAX) return `A reason is at most ${COMMENT_MAX} characters`;
        return { type: 'REJECT', actor, reason };
      }
      case 'APPLY_FAILED': {
        const error = (event.error?.trim() || 'unknown error').slice(0, COMMENT_MAX);
        return { type: 'APPLY_FAILED', actor, error };
      }
      default:
        return { type: event.type, actor } as WorkflowEvent;
    }
  }

  private stateOf(snapshot: AnyMachineSnapshot): WorkflowState {
    const value = snapshot.value;
    if (typeof value !== 'string' || !(WORKFLOW_STATES as readonly string[]).includes(value)) {
      throw new Error(`Request machines must be flat with workflow states; got ${JSON.stringify(value)}`);
    }
    return value as WorkflowState;
  }

  private async record(
    manager: EntityManager,
    companyId: number,
    requestId: number,
    from: WorkflowState | null,
    to: WorkflowState,
    event: string,
    actor: Actor,
    comment: string | undefined,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO request_transitions (company_id, request_id, from_state, to_state, event, actor_kind, actor_id, comment)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [companyId, requestId, from, to, event, actor.kind, actor.id, comment ?? null],
    );
  }

  private async writeEffects(manager: EntityManager, kind: RequestKind, companyId: number, requestId: number, state: WorkflowState) {
    for (const job of kind.effects[state] ?? []) await addToOutbox(manager, job, { requestId, companyId }, companyId);
  }
}
