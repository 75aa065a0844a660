import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn } from '../../libs/typeorm/bigint-as-number';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** An API key of the billing back office, scoped to one company. Only the SHA-256 of the key is stored. */
@Entity('integration_api_keys')
@Unique('integration_api_keys_key_prefix_key', ['keyPrefix'])
@Unique('integration_api_keys_company_id_key', ['companyId', 'id'])
@Index('integration_api_keys_created_by_idx', ['companyId', 'createdByClerkId'])
@Index('integration_api_keys_revoked_by_idx', ['companyId', 'revokedByClerkId'])
@ForeignKey('Company', ['companyId'], ['id'], { name: 'integration_api_keys_company_id_fkey' })
@ForeignKey('Clerk', ['companyId', 'createdByClerkId'], ['companyId', 'id'], {
  name: 'integration_api_keys_company_id_created_by_clerk_id_fkey',
})
@ForeignKey('Clerk', ['companyId', 'revokedByClerkId'], ['companyId', 'id'], {
  name: 'integration_api_keys_company_id_revoked_by_clerk_id_fkey',
})
@Check('integration_api_keys_name_check', `length(name) BETWEEN 1 AND 100`)
@Check('integration_api_keys_key_prefix_check', `key_prefix ~ '^[0-9a-f]{12}$'`)
@Check('integration_api_keys_secret_hash_check', `secret_hash ~ '^[0-9a-f]{64}$'`)
@Check('integration_api_keys_revoked_check', `(revoked_at IS NULL) = (revoked_by_clerk_id IS NULL)`)
export class IntegrationApiKey {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  /** What the admin called it (e.g. "ATHOS nightly"). */
  @Column({ type: 'text' })
  name!: string;

  /** The public part of the key that finds its row; shown on the admin page. */
  @Column({ name: 'key_prefix', type: 'text' })
  keyPrefix!: string;

  /** SHA-256 (hex) of the whole key. */
  @Column({ name: 'secret_hash', type: 'text' })
  secretHash!: string;

  @Column({ name: 'created_by_clerk_id', type: 'integer' })
  createdByClerkId!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_by_clerk_id', type: 'integer', nullable: true })
  revokedByClerkId!: number | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
