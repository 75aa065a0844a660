import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { ActorKind } from '../../libs/workflow/request-workflow';
import { ChangeRequest, RequestState } from './request.entity';

/**
 * One step of a request's history: who moved it, when, from which state to
 * which, by what event. Append-only: a trigger refuses UPDATE and DELETE.
 */
@Entity('request_transitions')
@Index('request_transitions_request_idx', ['companyId', 'requestId', 'id'])
@ForeignKey(() => ChangeRequest, ['companyId', 'requestId'], ['companyId', 'id'], {
  name: 'request_transitions_company_id_request_id_fkey',
})
@Check('request_transitions_actor_kind_check', `actor_kind IN ('customer', 'clerk', 'system')`)
@Check(
  'request_transitions_from_state_check',
  `from_state IS NULL OR from_state IN ('submitted', 'in_review', 'approved', 'applied', 'rejected', 'withdrawn', 'apply_failed')`,
)
@Check(
  'request_transitions_to_state_check',
  `to_state IN ('submitted', 'in_review', 'approved', 'applied', 'rejected', 'withdrawn', 'apply_failed')`,
)
@Check('request_transitions_comment_check', `comment IS NULL OR length(comment) <= 2000`)
export class RequestTransition {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'request_id', type: 'bigint', transformer: bigintAsNumber })
  requestId!: number;

  /** Null when the request entered its first state. */
  @Column({ name: 'from_state', type: 'text', nullable: true })
  fromState!: RequestState | null;

  @Column({ name: 'to_state', type: 'text' })
  toState!: RequestState;

  /** The machine event, e.g. `approve`. */
  @Column({ type: 'text' })
  event!: string;

  @Column({ name: 'actor_kind', type: 'text' })
  actorKind!: ActorKind;

  /** The customer's or clerk's id; null for the system. */
  @Column({ name: 'actor_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  actorId!: number | null;

  /** A clerk's note, e.g. the reason of a rejection. */
  @Column({ type: 'text', nullable: true })
  comment!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
