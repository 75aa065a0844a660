import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Company } from './company.entity';

export const SECURITY_ACTOR_KINDS = ['customer', 'clerk'] as const;
export type SecurityActorKind = (typeof SECURITY_ACTOR_KINDS)[number];

export const SECURITY_EVENT_NAMES = [
  'login_succeeded',
  'login_failed',
  'lockout',
  'password_changed',
  'password_reset',
  'account_deleted',
  'account_registered',
  'logout',
  'totp_enrolled',
  'clerk_created',
  'totp_reset',
  'clerk_deactivated',
  'clerk_reactivated',
  'clerk_role_changed',
  'customer_viewed',
  'base_rate_added',
] as const;
export type SecurityEventName = (typeof SECURITY_EVENT_NAMES)[number];

/** One entry of the security audit trail of a customer or clerk. Append-only: a trigger refuses UPDATE and DELETE. */
@Entity('security_events')
@Index('security_events_company_idx', ['companyId', 'createdAt', 'id']) // created_at DESC, id DESC in the migration
@Index('security_events_actor_idx', ['companyId', 'actorKind', 'actorId', 'id']) // id DESC in the migration
@ForeignKey(() => Company, ['companyId'], ['id'], { name: 'security_events_company_id_fkey' })
@Check('security_events_actor_kind_check', `actor_kind IN ('customer', 'clerk')`)
// The names above, as the latest migration that widened the list writes them (the schema-drift test compares).
@Check('security_events_event_check', `event IN (${SECURITY_EVENT_NAMES.map((name) => `'${name}'`).join(', ')})`)
@Check('security_events_ip_check', `ip IS NULL OR length(ip) <= 64`)
@Check('security_events_detail_check', `detail IS NULL OR length(detail) <= 500`)
export class SecurityEvent {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'actor_kind', type: 'text' })
  actorKind!: SecurityActorKind;

  /** The customer's or clerk's id; null when the login named no known account. */
  @Column({ name: 'actor_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  actorId!: number | null;

  @Column({ type: 'text' })
  event!: SecurityEventName;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  /** A short, non-secret note (e.g. the e-mail tried); never a password or token. */
  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
