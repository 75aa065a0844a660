import { AnyStateMachine } from 'xstate';
import { EntityManager } from 'typeorm';
import { JobRef } from '../queue/job-registry';

/** Every request kind moves through these states (DESIGN.md, "The one rule"). */
export const WORKFLOW_STATES = ['submitted', 'in_review', 'approved', 'applied', 'rejected', 'withdrawn', 'apply_failed'] as const;
export type WorkflowState = (typeof WORKFLOW_STATES)[number];

/** The events a request machine may accept; each kind's machine decides which, where. */
export const WORKFLOW_EVENTS = ['CLAIM', 'RELEASE', 'APPROVE', 'REJECT', 'WITHDRAW', 'APPLIED', 'APPLY_FAILED', 'RETRY'] as const;
export type WorkflowEventType = (typeof WORKFLOW_EVENTS)[number];

/** What a machine receives: the event plus who sends it (machines may guard on the actor). */
export type WorkflowEvent =
  | { type: 'CLAIM'; actor: Actor }
  | { type: 'RELEASE'; actor: Actor }
  | { type: 'APPROVE'; actor: Actor }
  | { type: 'REJECT'; actor: Actor; reason: string }
  | { type: 'WITHDRAW'; actor: Actor }
  | { type: 'APPLIED'; actor: Actor }
  | { type: 'APPLY_FAILED'; actor: Actor; error: string }
  | { type: 'RETRY'; actor: Actor };

/** The context every request machine keeps (the engine mirrors `assigneeId` into assigned_clerk_id). */
export interface WorkflowContext {
  assigneeId: number | null;
  rejectionReason: string | null;
  lastError: string | null;
}

export const ACTOR_KINDS = ['customer', 'clerk', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];
/** Back-office roles, lowest first. Only clerks carry one. */
export type StaffRole = 'clerk' | 'supervisor' | 'admin';

export interface Actor {
  kind: ActorKind;
  /** Customer or clerk id; null for the system. */
  id: number | null;
  role?: StaffRole;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: null };

/** A request row as the engine and the appliers see it. */
export interface WorkflowRequest {
  id: number;
  companyId: number;
  customerId: number;
  kind: string;
  state: WorkflowState;
  version: number;
  machineVersion: number;
  subjectRef: string;
  payload: Record<string, unknown>;
  flagged: boolean;
  assignedClerkId: number | null;
  /** By when the company answers the customer (the kind's or the company's deadline). */
  answerDueAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** What a request is about (`subject_ref`) and the key of which at most one request of the kind is live at a time. */
export interface RequestSubject {
  subjectRef: string;
  liveKey: string | null;
}

/**
 * One request kind: its pure machine (xstate v5, `setup().createMachine()`,
 * context `WorkflowContext`, events `WorkflowEvent`), its subject and live key,
 * its answer deadline, the jobs written to the outbox when a request enters a
 * state (each receives `{ requestId, companyId }`), and the applier the
 * `approved → applied` step runs in the worker.
 */
export interface RequestKind {
  kind: string;
  /** Bump when the machine changes shape; stored beside each snapshot. */
  machineVersion: number;
  machine: AnyStateMachine;
  /** What a submission with this payload is about, and its live key (see requests_live_key). */
  subject(customerId: number, payload: Record<string, unknown>): RequestSubject;
  /** Days the company has to answer, counted from submission, unless it set its own (request_answer_deadlines). */
  answerDays: number;
  effects: Partial<Record<WorkflowState, readonly JobRef[]>>;
  /**
   * Makes the approved change real, inside the transaction that records APPLIED.
   * Must be idempotent: running it again for the same request changes nothing.
   */
  apply(manager: EntityManager, request: WorkflowRequest): Promise<void>;
  /**
   * `apply` for many requests of one company at once (set-based), in the transaction
   * that records their APPLIED; optional: without it each is applied in turn.
   */
  applyMany?(manager: EntityManager, requests: readonly WorkflowRequest[]): Promise<void>;
}
