import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn } from '../../libs/typeorm/bigint-as-number';
import { ReminderKind } from './reminder-kinds';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** One scheduler firing for one company and kind; a re-run on the same day continues it. */
@Entity('reminder_runs')
@Unique('reminder_runs_company_kind_day_key', ['companyId', 'kind', 'runOn'])
@Index('reminder_runs_company_started_idx', ['companyId', 'startedAt', 'id']) // started_at DESC, id DESC in the migration
@ForeignKey('Company', ['companyId'], ['id'], { name: 'reminder_runs_company_id_fkey' })
@Check('reminder_runs_kind_check', `kind IN ('due_date', 'overdue', 'window_opened', 'window_closing')`)
export class ReminderRun {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ type: 'text' })
  kind!: ReminderKind;

  /** The Budapest day the run is for, 'YYYY-MM-DD'. */
  @Column({ name: 'run_on', type: 'date' })
  runOn!: string;

  @Column({ name: 'started_at', type: 'timestamptz', default: () => 'now()' })
  startedAt!: Date;

  /** Null while running, or when the run stopped (a crash) and has not been resumed yet. */
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** Reminders this run queued as e-mails. */
  @Column({ type: 'integer', default: 0 })
  queued!: number;

  /** Reminders this run found but did not send because the customer turned the topic off. */
  @Column({ name: 'skipped_by_preference', type: 'integer', default: 0 })
  skippedByPreference!: number;
}
