import { Column, CreateDateColumn, Entity } from 'typeorm';
import { BigIntIdColumn } from '../typeorm/bigint-as-number';

@Entity('outbox')
export class OutboxEntry {
  @BigIntIdColumn()
  id!: number;

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
}
