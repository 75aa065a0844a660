import { Column, CreateDateColumn, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntIdColumn } from '../typeorm/bigint-as-number';

@Entity('outbox')
@Index('outbox_pending_idx', ['id'], { where: 'relayed_at IS NULL' })
@Index('outbox_unfinished_idx', ['companyId', 'relayedAt'], { where: 'completed_at IS NULL' })
export class OutboxEntry {
  @BigIntIdColumn()
  id!: number;

  // By table name: libs know no entity of the app.
  @ForeignKey('companies', { name: 'outbox_company_id_fkey' })
  @Column({ name: 'company_id', type: 'integer', nullable: true })
  companyId!: number | null;

  @Column({ type: 'text' })
  queue!: string;

  @Column({ name: 'job_name', type: 'text' })
  jobName!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'relayed_at', type: 'timestamptz', nullable: true })
  relayedAt!: Date | null;

  /** Set by the consumer in the transaction of its effect (see completeOutboxJob). */
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
