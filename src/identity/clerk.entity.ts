import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, Unique } from 'typeorm';
import { Company } from './company.entity';

export const CLERK_ROLES = ['clerk', 'supervisor', 'admin'] as const;
export type ClerkRole = (typeof CLERK_ROLES)[number];

/** A back-office user (ügyintéző) of one company. */
@Entity('clerks')
@Unique('clerks_company_id_key', ['companyId', 'id'])
// UNIQUE (company_id, lower(email)): an expression index TypeORM cannot describe; the migration owns it.
@Index('clerks_company_email_key', { synchronize: false })
@ForeignKey(() => Company, ['companyId'], ['id'], { name: 'clerks_company_id_fkey' })
@Check('clerks_email_check', `length(email) BETWEEN 3 AND 254`)
@Check('clerks_name_check', `length(name) BETWEEN 1 AND 200`)
@Check('clerks_role_check', `role IN ('clerk', 'supervisor', 'admin')`)
// Only sealed secrets (totp-secret-box.ts), never plain text.
@Check('clerks_totp_secret_check', `totp_secret LIKE 'v1.%'`)
export class Clerk {
  @PrimaryColumn({ type: 'integer', generated: 'identity', generatedIdentity: 'ALWAYS' })
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  /** Unique per company regardless of case (compare with `lower(email)`). */
  @Column({ type: 'text' })
  email!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  role!: ClerkRole;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash!: string;

  /** The TOTP secret sealed with AES-256-GCM (`v1.<key id>.…`, see totp-secret-box.ts); null: none enrolled. */
  @Column({ name: 'totp_secret', type: 'text', nullable: true })
  totpSecret!: string | null;

  /** An inactive clerk cannot log in, and their sessions and tokens stop working. */
  @Column({ type: 'boolean', default: true })
  active!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /**
   * Set when an admin resets the clerk's second factor: whatever the role, the clerk must
   * enrol a new one before anything else (admins must have one anyway, see clerk-roles.ts).
   */
  @Column({ name: 'totp_required', type: 'boolean', default: false })
  totpRequired!: boolean;
}
