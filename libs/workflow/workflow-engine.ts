import { AnyMachineSnapshot, StateValue, initialTransition, transition } from 'xstate';
import { EntityManager, QueryFailedError } from 'typeorm';
import { preparedQuery } from '../typeorm/prepared-query';
import { REQUEST_COLUMNS, RequestRow, toWorkflowRequest } from './request-row';
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
import {
  LiveRequestConflict,
  Result,
  WorkflowError,
  actorNotAllowed,
  eventNotAccepted,
  fail,
  invalidEvent,
  notFound,
  ok,
  versionConflict,
} from './workflow-errors';

export interface SubmitInput {
  companyId: number;
  customerId: number;
  kind: string;
  /** The kind names its subject and live key from it (RequestKind.subject). */
  payload: Record<string, unknown>;
  flagged: boolean;
  actor: Actor;
  comment?: string;
}

/** An event as callers send it: the type plus `reason` (REJECT) or `error` (APPLY_FAILED). */
export type EventInput = { type: WorkflowEventType; reason?: string; error?: string };

export interface SendInput<E = never> {
  companyId: number;
  requestId: number;
  event: EventInput | WorkflowEventType;
  actor: Actor;
  expectedVersion: number;
  comment?: string;
  /** The caller's own refusal, checked on the loaded request before anything else (e.g. "flagged"). */
  precondition?: (request: WorkflowRequest) => E | undefined;
}

export interface Transitioned {
  requestId: number;
  from: WorkflowState;
  to: WorkflowState;
  version: number;
}

/** A `requests` row as the engine reads it: the request and its machine's snapshot. */
interface EngineRow extends RequestRow {
  company_id: number;
  snapshot: { value: StateValue; context: WorkflowContext };
}

/** What `decide` allows: one request's guarded write, its transition row and its effects. */
interface PlannedWrite {
  requestId: number;
  expectedVersion: number;
  from: WorkflowState;
  to: WorkflowState;
  snapshot: unknown;
  machineVersion: number;
  assigneeId: number | null;
  event: WorkflowEventType;
  actorKind: Actor['kind'];
  actorId: number | null;
  note: string | null;
  effects: { queues: string[]; names: string[] };
}

/** The machine's part of a decision: the state entered, the snapshot to persist, the assignee it keeps. */
interface MachineStep {
  to: WorkflowState;
  snapshot: unknown;
  assigneeId: number | null;
}

type MachineSteps = Map<string, MachineStep | undefined>;

const COMMENT_MAX = 2000;

/** The columns EngineRow holds (named, so a prepared plan's result shape never changes under it). */
const ENGINE_COLUMNS = `company_id, snapshot, ${REQUEST_COLUMNS}`;

/** A unique violation of `constraint`, raised through TypeORM or straight from node-postgres. */
function isUniqueViolation(error: unknown, constraint: string): boolean {
  const details = (error instanceof QueryFailedError ? error.driverError : error) as { code?: string; constraint?: string } | undefined;
  return details?.code === '23505' && details.constraint === constraint;
}

/**
 * How many requests one outbox row of an effect names at most (payload `{ requestIds,
 * companyId }`): `sendMany` writes one row per effect per this many requests, so a bulk
 * approval of 10,000 queues 40 apply jobs, not 10,000. A lone request is a batch of one.
 */
export const EFFECT_BATCH_MAX = 250;

/**
 * A data-modifying CTE writing the outbox rows (as addToOutbox does: payload
 * `{ requestIds: [id], companyId }`) of the request in CTE `source`, one per job of the
 * parallel text arrays `queues` and `names`, so a change and its effects are one statement.
 */
const OUTBOX_EFFECTS_CTE = (source: string, companyId: string, queues: string, names: string) => `effects AS (
         INSERT INTO outbox (company_id, queue, job_name, payload)
         SELECT ${companyId}, job.queue, job.name, jsonb_build_object('requestIds', jsonb_build_array(${source}.id), 'companyId', ${companyId})
           FROM ${source}, unnest(${queues}::text[], ${names}::text[]) WITH ORDINALITY AS job(queue, name, position)
          ORDER BY job.position
       )`;

/**
 * The request engine: loads a request's persisted snapshot, computes the next one
 * with xstate's pure `transition`, and writes state, snapshot, machine version,
 * an append-only transition row and the outbox rows of the target state's
 * effects in one statement, so a change never lands without its log and effects,
 * even outside a transaction. `UPDATE … WHERE version = expected` refuses a
 * stale write: of two clerks deciding at once, one wins and one gets a conflict.
 *
 * Every operation takes its database handle explicitly: the caller's transaction
 * manager when the transition must commit together with a change of its own, or
 * the data source's manager for a statement on its own. There is no fallback.
 */
export class WorkflowEngine {
  private readonly kinds = new Map<string, RequestKind>();

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

  /**
   * Creates a request in its machine's initial state (a SUBMIT transition row with no
   * from-state), with its answer deadline: the company's own for the kind
   * (request_answer_deadlines) or the kind's. One statement, so it is atomic even
   * outside a transaction. A live key already live throws LiveRequestConflict.
   */
  async submit(manager: EntityManager, input: SubmitInput): Promise<Transitioned> {
    const kind = this.kind(input.kind);
    const [snapshot] = initialTransition(kind.machine);
    const state = this.stateOf(snapshot);
    // The request, its SUBMIT transition row (no from-state) and its effects in one statement.
    const effects = this.effectsOf(kind, state);
    const { subjectRef, liveKey } = kind.subject(input.customerId, input.payload);
    const rows = await preparedQuery<{ id: string }>(
      manager,
      'workflow-submit',
      `WITH created AS (
         INSERT INTO requests (company_id, customer_id, kind, state, snapshot, machine_version, subject_ref, payload, flagged, live_key,
                               answer_due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $15,
                 now() + make_interval(days => COALESCE(
                   (SELECT answer_days FROM request_answer_deadlines WHERE company_id = $1 AND kind = $3), $16::int)))
         RETURNING id
       ), recorded AS (
         INSERT INTO request_transitions (company_id, request_id, from_state, to_state, event, actor_kind, actor_id, comment)
         SELECT $1, id, NULL, $4, 'SUBMIT', $10, $11, $12 FROM created
       ), ${OUTBOX_EFFECTS_CTE('created', '$1', '$13', '$14')}
       SELECT id FROM created`,
      [
        input.companyId,
        input.customerId,
        input.kind,
        state,
        kind.machine.getPersistedSnapshot(snapshot),
        kind.machineVersion,
        subjectRef,
        input.payload,
        input.flagged,
        input.actor.kind,
        input.actor.id,
        input.comment ?? null,
        effects.queues,
        effects.names,
        liveKey,
        kind.answerDays,
      ],
    ).catch((error: unknown) => {
      if (liveKey && isUniqueViolation(error, 'requests_live_key')) throw new LiveRequestConflict(liveKey);
      throw error;
    });
    const requestId = Number(rows[0].id);
    return { requestId, from: state, to: state, version: 1 };
  }

  /**
   * Sends one event. Refusals come back as values: not found (another company's,
   * or for a customer another customer's request), actor not allowed, stale
   * version, event not accepted in this state, event missing its data, or what
   * the caller's `precondition` refuses on the loaded request (one read, not two).
   */
  async send<E = never>(manager: EntityManager, input: SendInput<E>): Promise<Result<Transitioned, WorkflowError | E>> {
    // Outside a transaction a read and one guarded write suffice: the write carries
    // the version check, the transition row and the outbox rows in one statement.
    const invalid = this.invalidInput(input);
    if (invalid) return fail(invalid);
    return this.sendLoaded(manager, await this.load(manager, input.companyId, input.requestId, input.actor), input);
  }

  /**
   * Sends an event to each of many requests of one company inside the caller's
   * transaction, set-based: one read locking the rows in id order (so two bulk
   * operations never deadlock on each other) and one statement writing every new
   * state with its transition row and outbox rows. Each request is still decided on
   * its own by its machine, its version check and the caller's precondition, as in
   * `send`; a refused one comes back as its refusal and holds up none of the others.
   * Outcomes come back in input order. A clerk's bulk approval, the worker's applies.
   */
  async sendMany<E = never>(
    manager: EntityManager,
    companyId: number,
    inputs: ReadonlyArray<SendInput<E>>,
  ): Promise<Array<Result<Transitioned, WorkflowError | E>>> {
    if (!manager.queryRunner?.isTransactionActive) throw new Error('sendMany runs inside a transaction (it locks the rows it decides)');
    if (inputs.some((input) => input.companyId !== companyId)) throw new Error('sendMany sends to the requests of one company');
    const rows = await this.loadMany(
      manager,
      companyId,
      inputs.map((input) => input.requestId),
      true,
    );
    const byId = new Map(rows.map((row) => [Number(row.id), row]));
    const outcomes: Array<Result<Transitioned, WorkflowError | E>> = new Array(inputs.length);
    const writes: PlannedWrite[] = [];
    const writeOf = new Map<number, number>();
    const steps: MachineSteps = new Map();
    inputs.forEach((input, index) => {
      const row = byId.get(input.requestId);
      const visible = row && (input.actor.kind !== 'customer' || Number(row.customer_id) === input.actor.id) ? row : undefined;
      const earlier = writeOf.get(input.requestId);
      // The same request twice: the second finds the first's version.
      const decided =
        earlier !== undefined
          ? fail(versionConflict(input.requestId, input.expectedVersion, input.expectedVersion + 1))
          : this.decide(visible, input, steps);
      if (!decided.ok) {
        outcomes[index] = decided;
        return;
      }
      writeOf.set(input.requestId, index);
      writes.push(decided.value);
    });
    const written = new Set(await this.writeMany(manager, companyId, writes));
    for (const write of writes) {
      const index = writeOf.get(write.requestId)!;
      // Impossible under the row locks; answered as a conflict rather than as success.
      outcomes[index] = written.has(write.requestId)
        ? ok({ requestId: write.requestId, from: write.from, to: write.to, version: write.expectedVersion + 1 })
        : fail(versionConflict(write.requestId, write.expectedVersion, write.expectedVersion));
    }
    return outcomes;
  }

  /** What is wrong with an event before any request is read: unknown type, over-long comment. */
  private invalidInput(input: SendInput<unknown>): WorkflowError | undefined {
    const type = typeof input.event === 'string' ? input.event : input.event.type;
    if (!(WORKFLOW_EVENTS as readonly string[]).includes(type)) return invalidEvent(input.requestId, type, `Unknown event ${type}`);
    const comment = input.comment?.trim();
    if (comment && comment.length > COMMENT_MAX)
      return invalidEvent(input.requestId, type, `A comment is at most ${COMMENT_MAX} characters`);
    return undefined;
  }

  /** `send` after the read: the decision and its one guarded write. */
  private async sendLoaded<E>(
    db: EntityManager,
    row: EngineRow | undefined,
    input: SendInput<E>,
  ): Promise<Result<Transitioned, WorkflowError | E>> {
    const decided = this.decide(row, input);
    if (!decided.ok) return decided;
    const write = decided.value;
    // The transition row and the effects are written only when the guarded update
    // matched, i.e. when nobody changed the request meanwhile.
    const updated = await preparedQuery<{ id: string }>(
      db,
      'workflow-send',
      `WITH updated AS (
         UPDATE requests SET state = $1, snapshot = $2, machine_version = $3, version = version + 1,
                assigned_clerk_id = $4, updated_at = now()
          WHERE company_id = $5 AND id = $6 AND version = $7
         RETURNING id
       ), recorded AS (
         INSERT INTO request_transitions (company_id, request_id, from_state, to_state, event, actor_kind, actor_id, comment)
         SELECT $5, id, $8, $1, $9, $10, $11, $12 FROM updated
       ), ${OUTBOX_EFFECTS_CTE('updated', '$5', '$13', '$14')}
       SELECT id FROM updated`,
      [
        write.to,
        write.snapshot,
        write.machineVersion,
        write.assigneeId,
        input.companyId,
        write.requestId,
        write.expectedVersion,
        write.from,
        write.event,
        write.actorKind,
        write.actorId,
        write.note,
        write.effects.queues,
        write.effects.names,
      ],
    );
    if (updated.length === 0) {
      const actual: Array<{ version: number }> = await db.query(`SELECT version FROM requests WHERE company_id = $1 AND id = $2`, [
        input.companyId,
        write.requestId,
      ]);
      return fail(versionConflict(write.requestId, write.expectedVersion, actual[0]?.version ?? write.expectedVersion));
    }
    return ok({ requestId: write.requestId, from: write.from, to: write.to, version: write.expectedVersion + 1 });
  }

  /**
   * The decision on a loaded request, without I/O: the caller's precondition, the
   * version, the actor, the event's data and the machine's transition; what to write if allowed.
   */
  private decide<E>(row: EngineRow | undefined, input: SendInput<E>, steps?: MachineSteps): Result<PlannedWrite, WorkflowError | E> {
    const invalid = this.invalidInput(input);
    if (invalid) return fail(invalid);
    const event: EventInput = typeof input.event === 'string' ? { type: input.event } : input.event;
    const { requestId, actor } = input;
    const comment = input.comment?.trim() || undefined;
    if (!row) return fail(notFound(requestId));
    const refused = input.precondition?.(toWorkflowRequest(row.company_id, row));
    if (refused !== undefined) return fail(refused);
    // A stale view comes first: after a colleague's decision the request may be assigned
    // to them, and "someone else decided meanwhile" is the answer that helps.
    if (row.version !== input.expectedVersion) return fail(versionConflict(requestId, input.expectedVersion, row.version));
    const refusal = actorRefusal(event.type, actor, { assignedClerkId: row.assigned_clerk_id });
    if (refusal) return fail(actorNotAllowed(requestId, event.type, refusal));

    const machineEvent = this.toMachineEvent(event, actor);
    if (typeof machineEvent === 'string') return fail(invalidEvent(requestId, event.type, machineEvent));
    const kind = this.kind(row.kind);
    if (row.machine_version !== kind.machineVersion) {
      throw new Error(
        `Request ${requestId} was written by ${kind.kind} machine v${row.machine_version}; this build runs v${kind.machineVersion}`,
      );
    }
    const step = this.step(kind, row.snapshot, machineEvent, steps);
    if (!step) return fail(eventNotAccepted(requestId, row.state, event.type));
    const { to, snapshot, assigneeId } = step;
    const note = comment ?? (event.type === 'REJECT' ? event.reason : event.type === 'APPLY_FAILED' ? event.error : undefined);
    return ok({
      requestId,
      expectedVersion: input.expectedVersion,
      from: row.state,
      to,
      snapshot,
      machineVersion: kind.machineVersion,
      assigneeId,
      event: event.type,
      actorKind: actor.kind,
      actorId: actor.id,
      note: note ?? null,
      effects: this.effectsOf(kind, to),
    });
  }

  /**
   * The machine's transition of a persisted snapshot on an event (undefined when the
   * state does not accept it). Machines are pure (no I/O, no clock), so the same
   * snapshot and event always give the same step: `steps` keeps the ones computed
   * during one `sendMany`, where a bulk approval sends the same event to a thousand
   * requests in the same state.
   */
  private step(kind: RequestKind, persisted: EngineRow['snapshot'], event: WorkflowEvent, steps?: MachineSteps): MachineStep | undefined {
    const key =
      steps &&
      `${kind.kind}\u0000${JSON.stringify(persisted.value)}\u0000${JSON.stringify(persisted.context)}\u0000${JSON.stringify(event)}`;
    if (key && steps.has(key)) return steps.get(key);
    const current: AnyMachineSnapshot = kind.machine.resolveState({ value: persisted.value, context: persisted.context });
    let step: MachineStep | undefined;
    if (current.can(event)) {
      const [next] = transition(kind.machine, current, event);
      step = {
        to: this.stateOf(next),
        snapshot: kind.machine.getPersistedSnapshot(next),
        assigneeId: (next.context as WorkflowContext).assigneeId,
      };
    }
    if (key) steps.set(key, step);
    return step;
  }

  /**
   * The writes of `sendMany` in one statement: each request's guarded update (version
   * check), its transition row and the outbox rows of its new state's effects, only
   * for the updates that matched, one row per effect per EFFECT_BATCH_MAX requests
   * (in input order). Returns the ids it updated.
   */
  private async writeMany(manager: EntityManager, companyId: number, writes: readonly PlannedWrite[]): Promise<number[]> {
    if (writes.length === 0) return [];
    const effects = writes.flatMap((write, index) =>
      write.effects.queues.map((queue, i) => ({
        requestId: write.requestId,
        queue,
        name: write.effects.names[i],
        batch: Math.floor(index / EFFECT_BATCH_MAX),
      })),
    );
    const column = <T>(pick: (write: PlannedWrite) => T) => writes.map(pick);
    const rows = await preparedQuery<{ id: string }>(
      manager,
      'workflow-send-many',
      `WITH input AS (
         SELECT * FROM unnest($2::bigint[], $3::int[], $4::text[], $5::text[], $6::jsonb[], $7::int[], $8::int[], $9::text[], $10::text[],
                              $11::bigint[], $12::text[])
                AS i(id, expected_version, from_state, to_state, snapshot, machine_version, assignee_id, event, actor_kind, actor_id, note)
       ), updated AS (
         UPDATE requests r SET state = i.to_state, snapshot = i.snapshot, machine_version = i.machine_version, version = r.version + 1,
                assigned_clerk_id = i.assignee_id, updated_at = now()
           FROM input i
          WHERE r.company_id = $1 AND r.id = i.id AND r.version = i.expected_version
         RETURNING r.id
       ), recorded AS (
         INSERT INTO request_transitions (company_id, request_id, from_state, to_state, event, actor_kind, actor_id, comment)
         SELECT $1, i.id, i.from_state, i.to_state, i.event, i.actor_kind, i.actor_id, i.note
           FROM input i JOIN updated u ON u.id = i.id ORDER BY i.id
       ), effects AS (
         INSERT INTO outbox (company_id, queue, job_name, payload)
         SELECT $1, job.queue, job.name, jsonb_build_object('requestIds', jsonb_agg(job.request_id ORDER BY job.position), 'companyId', $1)
           FROM unnest($13::bigint[], $14::text[], $15::text[], $16::int[]) WITH ORDINALITY AS job(request_id, queue, name, batch, position)
           JOIN updated u ON u.id = job.request_id
          GROUP BY job.batch, job.queue, job.name
          ORDER BY min(job.position)
       )
       SELECT id FROM updated`,
      [
        companyId,
        column((w) => w.requestId),
        column((w) => w.expectedVersion),
        column((w) => w.from),
        column((w) => w.to),
        column((w) => JSON.stringify(w.snapshot)),
        column((w) => w.machineVersion),
        column((w) => w.assigneeId),
        column((w) => w.event),
        column((w) => w.actorKind),
        column((w) => w.actorId),
        column((w) => w.note),
        effects.map((effect) => effect.requestId),
        effects.map((effect) => effect.queue),
        effects.map((effect) => effect.name),
        effects.map((effect) => effect.batch),
      ],
    );
    return rows.map((row) => Number(row.id));
  }

  /**
   * A clerk's note in the request's history: a transition row with event COMMENT
   * and the same from- and to-state. It changes neither the state nor the version,
   * so a note never makes a colleague's decision stale.
   */
  async comment(
    manager: EntityManager,
    input: { companyId: number; requestId: number; actor: Actor; comment: string },
  ): Promise<Result<{ requestId: number }>> {
    const text = input.comment.trim();
    if (input.actor.kind !== 'clerk') return fail(actorNotAllowed(input.requestId, 'COMMENT', 'Only a clerk can comment a request'));
    if (text.length === 0 || text.length > COMMENT_MAX) {
      return fail(invalidEvent(input.requestId, 'COMMENT', `A comment is 1 to ${COMMENT_MAX} characters`));
    }
    const row = await this.load(manager, input.companyId, input.requestId, input.actor);
    if (!row) return fail(notFound(input.requestId));
    await this.record(manager, input.companyId, input.requestId, row.state, row.state, 'COMMENT', input.actor, text);
    return ok({ requestId: input.requestId });
  }

  /** Reads one request, scoped by company (and by customer for a customer actor). */
  async find(manager: EntityManager, companyId: number, requestId: number, actor?: Actor, lock = false): Promise<WorkflowRequest | null> {
    const row = await this.load(manager, companyId, requestId, actor, lock);
    return row ? toWorkflowRequest(row.company_id, row) : null;
  }

  /** Reads many requests of one company (none of another's), locked in id order when `lock` (inside a transaction). */
  async findMany(manager: EntityManager, companyId: number, requestIds: readonly number[], lock = false): Promise<WorkflowRequest[]> {
    return (await this.loadMany(manager, companyId, requestIds, lock)).map((row) => toWorkflowRequest(row.company_id, row));
  }

  private loadMany(manager: EntityManager, companyId: number, requestIds: readonly number[], lock: boolean): Promise<EngineRow[]> {
    return preparedQuery<EngineRow>(
      manager,
      `workflow-load-many${lock ? '-lock' : ''}`,
      `SELECT ${ENGINE_COLUMNS} FROM requests WHERE company_id = $1 AND id = ANY($2::bigint[]) ORDER BY id ${lock ? 'FOR UPDATE' : ''}`,
      [companyId, requestIds],
    );
  }

  private async load(
    manager: EntityManager,
    companyId: number,
    requestId: number,
    actor?: Actor,
    lock = false,
  ): Promise<EngineRow | undefined> {
    const customerOnly = actor?.kind === 'customer';
    const rows = await preparedQuery<EngineRow>(
      manager,
      `workflow-load${customerOnly ? '-customer' : ''}${lock ? '-lock' : ''}`,
      `SELECT ${ENGINE_COLUMNS} FROM requests
        WHERE company_id = $1 AND id = $2 ${customerOnly ? 'AND customer_id = $3' : ''} ${lock ? 'FOR UPDATE' : ''}`,
      customerOnly ? [companyId, requestId, actor.id] : [companyId, requestId],
    );
    return rows[0];
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

  /** The jobs a request entering `state` puts in the outbox, as the arrays OUTBOX_EFFECTS_CTE unnests. */
  private effectsOf(kind: RequestKind, state: WorkflowState): { queues: string[]; names: string[] } {
    const jobs = kind.effects[state] ?? [];
    return { queues: jobs.map((job) => job.queue), names: jobs.map((job) => job.name) };
  }
}
