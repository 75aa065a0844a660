import { Check, CreateDateColumn, Column, Entity, PrimaryColumn, Unique } from 'typeorm';

export const LATE_INTEREST_RULES = ['civil_code', 'none'] as const;
export type LateInterestRule = (typeof LATE_INTEREST_RULES)[number];

/** A utility company: the tenant. Every other row carries its `company_id`. */
@Entity('companies')
@Unique('companies_code_key', ['code'])
@Check('companies_code_check', `code ~ '^[a-z0-9-]{2,40}$'`)
@Check('companies_name_check', `length(name) BETWEEN 1 AND 200`)
@Check('companies_totp_grace_days_check', `totp_grace_days BETWEEN 0 AND 90`)
@Check('companies_late_interest_rule_check', `late_interest_rule IN ('civil_code', 'none')`)
@Check('companies_due_date_reminder_days_check', `due_date_reminder_days BETWEEN 1 AND 60`)
@Check('companies_reading_window_reminder_days_check', `reading_window_reminder_days BETWEEN 1 AND 60`)
export class Company {
  @PrimaryColumn({ type: 'integer', generated: 'identity', generatedIdentity: 'ALWAYS' })
  id!: number;

  /** Short lower-case code, e.g. `fotav`; used in URLs and configuration. */
  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'text' })
  name!: string;

  /**
   * Days a new clerk or supervisor may work before enrolling a second factor (0: must
   * enrol at the first login). Admins, and clerks whose factor was reset, never get one.
   */
  @Column({ name: 'totp_grace_days', type: 'integer', default: 0 })
  totpGraceDays!: number;

  /** How late payment earns interest: the Civil Code's rule (default), or none charged. */
  @Column({ name: 'late_interest_rule', type: 'text', default: 'civil_code' })
  lateInterestRule!: LateInterestRule;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** The due-date reminder goes this many days before an unpaid invoice's due date. */
  @Column({ name: 'due_date_reminder_days', type: 'smallint', default: 5 })
  dueDateReminderDays!: number;

  /** The "window closes soon" reminder goes this many days before a reading window closes. */
  @Column({ name: 'reading_window_reminder_days', type: 'smallint', default: 3 })
  readingWindowReminderDays!: number;
}
