import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique, UpdateDateColumn } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { WorkflowState } from '../../libs/workflow/request-workflow';

/** A request's state: one of the workflow's (WORKFLOW_STATES), which requests_state_check lists. */
export type RequestState = WorkflowState;

/** The states a clerk still has work in: the work queue. */
export const OPEN_REQUEST_STATES = ['submitted', 'in_review', 'apply_failed'] as const satisfies readonly RequestState[];

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * A customer's change request (a reading, an address change, e-invoice opt-in…)
 * moving through its kind's state machine. `version` guards against stale writes.
 */
@Entity('requests')
@Unique('requests_company_id_key', ['companyId', 'id'])
@Index('requests_queue_idx', ['companyId', 'answerDueAt', 'id'], { where: `state IN ('submitted', 'in_review', 'apply_failed')` })
@Index('requests_customer_idx', ['companyId', 'customerId', 'createdAt', 'id']) // created_at DESC, id DESC in the migration
@Index('requests_assigned_clerk_idx', ['companyId', 'assignedClerkId'])
@Index('requests_live_key', ['companyId', 'kind', 'liveKey'], {
  unique: true,
  where: `live_key IS NOT NULL AND state NOT IN ('withdrawn', 'rejected')`,
})
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'requests_company_id_customer_id_fkey' })
@ForeignKey('Clerk', ['companyId', 'assignedClerkId'], ['companyId', 'id'], { name: 'requests_company_id_assigned_clerk_id_fkey' })
@Check('requests_kind_check', `kind ~ '^[a-z_]{2,40}$'`)
@Check('requests_state_check', `state IN ('submitted', 'in_review', 'approved', 'applied', 'rejected', 'withdrawn', 'apply_failed')`)
@Check('requests_machine_version_check', `machine_version > 0`)
@Check('requests_version_check', `version > 0`)
@Check('requests_live_key_check', `live_key IS NULL OR length(live_key) BETWEEN 1 AND 200`)
export class ChangeRequest {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  /** The request kind, which names its machine, e.g. `meter_reading`. */
  @Column({ type: 'text' })
  kind!: string;

  /** The machine's state, kept beside the snapshot so queues can filter on it. */
  @Column({ type: 'text' })
  state!: RequestState;

  /** The xstate persisted snapshot (`actor.getPersistedSnapshot()`). */
  @Column({ type: 'jsonb' })
  snapshot!: Record<string, unknown>;

  /** The version of the machine definition that wrote the snapshot. */
  @Column({ name: 'machine_version', type: 'integer' })
  machineVersion!: number;

  /** Optimistic lock: every transition writes `version + 1` where `version` is what it read. */
  @Column({ type: 'integer', default: 1 })
  version!: number;

  /** What the request is about, e.g. a meter or a service point; each kind defines its format. */
  @Column({ name: 'subject_ref', type: 'text' })
  subjectRef!: string;

  /**
   * At most one request of a kind with the same key is live (not withdrawn or
   * rejected) at a time; e.g. a meter reading's meter and reading window.
   */
  @Column({ name: 'live_key', type: 'text', nullable: true })
  liveKey!: string | null;

  /** What the customer asked for; each kind defines and validates its shape. */
  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** Marked for a clerk's attention (e.g. an implausible reading). */
  @Column({ type: 'boolean', default: false })
  flagged!: boolean;

  @Column({ name: 'assigned_clerk_id', type: 'integer', nullable: true })
  assignedClerkId!: number | null;

  /** By when the company answers: submission plus the kind's (or the company's) answer deadline. */
  @Column({ name: 'answer_due_at', type: 'timestamptz' })
  answerDueAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
