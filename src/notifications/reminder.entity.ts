import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { EmailLog } from './email-log.entity';
import { ReminderKind } from './reminder-kinds';
import { ReminderRun } from './reminder-run.entity';

export const REMINDER_OUTCOMES = ['queued', 'skipped_by_preference'] as const;
export type ReminderOutcome = (typeof REMINDER_OUTCOMES)[number];

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * A reminder decided for one customer: queued as an e-mail or skipped by preference.
 * The unique key is the at-most-once rule for (customer, kind, invoice or window).
 */
@Entity('reminders')
@Unique('reminders_once_key', ['companyId', 'customerId', 'kind', 'subjectId'])
@Index('reminders_run_idx', ['runId'])
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'reminders_company_id_customer_id_fkey' })
@ForeignKey(() => ReminderRun, ['runId'], ['id'], { name: 'reminders_run_id_fkey' })
@ForeignKey(() => EmailLog, ['emailId'], ['id'], { name: 'reminders_email_id_fkey' })
@Check('reminders_kind_check', `kind IN ('due_date', 'overdue', 'window_opened', 'window_closing')`)
@Check('reminders_outcome_check', `outcome IN ('queued', 'skipped_by_preference')`)
export class Reminder {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @Column({ type: 'text' })
  kind!: ReminderKind;

  /** The invoice (due_date, overdue) or the reading window (window_*) the reminder is about. */
  @Column({ name: 'subject_id', type: 'bigint', transformer: bigintAsNumber })
  subjectId!: number;

  @Column({ name: 'run_id', type: 'bigint', transformer: bigintAsNumber })
  runId!: number;

  @Column({ type: 'text' })
  outcome!: ReminderOutcome;

  /** The queued e-mail; null when skipped. */
  @Column({ name: 'email_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  emailId!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
