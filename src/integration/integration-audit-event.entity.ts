import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { IntegrationApiKey } from './integration-api-key.entity';

export const INTEGRATION_AUDIT_EVENTS = ['key_created', 'key_revoked', 'call', 'call_refused'] as const;
export type IntegrationAuditEventName = (typeof INTEGRATION_AUDIT_EVENTS)[number];

/** One entry of an API key's audit trail: its creation and revocation (by a clerk) and every call made with it. Append-only. */
@Entity('integration_audit_events')
@Index('integration_audit_events_key_idx', ['companyId', 'keyId', 'id'])
@Index('integration_audit_events_clerk_idx', ['companyId', 'clerkId'])
@ForeignKey(() => IntegrationApiKey, ['companyId', 'keyId'], ['companyId', 'id'], {
  name: 'integration_audit_events_company_id_key_id_fkey',
})
@ForeignKey('Clerk', ['companyId', 'clerkId'], ['companyId', 'id'], { name: 'integration_audit_events_company_id_clerk_id_fkey' })
@Check('integration_audit_events_event_check', `event IN ('key_created', 'key_revoked', 'call', 'call_refused')`)
@Check('integration_audit_events_operation_check', `operation IS NULL OR length(operation) <= 200`)
@Check('integration_audit_events_detail_check', `detail IS NULL OR length(detail) <= 500`)
@Check('integration_audit_events_ip_check', `ip IS NULL OR length(ip) <= 64`)
export class IntegrationAuditEvent {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'key_id', type: 'bigint', transformer: bigintAsNumber })
  keyId!: number;

  @Column({ type: 'text' })
  event!: IntegrationAuditEventName;

  /** The admin who created or revoked the key; null for calls. */
  @Column({ name: 'clerk_id', type: 'integer', nullable: true })
  clerkId!: number | null;

  /** `POST /api/v1/integration/invoices` for calls. */
  @Column({ type: 'text', nullable: true })
  operation!: string | null;

  /** The HTTP status a call was answered with. */
  @Column({ type: 'smallint', nullable: true })
  status!: number | null;

  /** A short, non-secret note (row counts, the refusal's reason); never the key. */
  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
