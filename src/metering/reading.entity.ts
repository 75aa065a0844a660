import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { numericAsNumber } from '../../libs/typeorm/numeric-as-number';
import { Meter } from './meter.entity';

export const READING_KINDS = ['normal', 'estimated', 'customer'] as const;
export type ReadingKind = (typeof READING_KINDS)[number];

/** A meter reading (mérőóraállás): read by the provider, estimated, or reported by the customer. */
@Entity('readings')
@Index('readings_meter_date_idx', ['companyId', 'meterId', 'readOn']) // read_on DESC in the migration
@Index('readings_request_key', ['requestId'], { unique: true, where: 'request_id IS NOT NULL' })
@Index('readings_external_ref_key', ['companyId', 'externalRef'], { unique: true, where: 'external_ref IS NOT NULL' })
@ForeignKey(() => Meter, ['companyId', 'meterId'], ['companyId', 'id'], { name: 'readings_company_id_meter_id_fkey' })
@Check('readings_value_check', `value >= 0`)
@Check('readings_kind_check', `kind IN ('normal', 'estimated', 'customer')`)
@Check('readings_external_ref_check', `external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100`)
export class Reading {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'meter_id', type: 'bigint', transformer: bigintAsNumber })
  meterId!: number;

  /** 'YYYY-MM-DD' */
  @Column({ name: 'read_on', type: 'date' })
  readOn!: string;

  /**
   * numeric(14, 3) read as a number: consumption is a subtraction, and any value
   * with at most 14 significant digits survives a double exactly (doubles hold 15).
   */
  @Column({ type: 'numeric', precision: 14, scale: 3, transformer: numericAsNumber })
  value!: number;

  @Column({ type: 'text' })
  kind!: ReadingKind;

  /** Consumption is the difference to the previous billable reading of the meter. */
  @Column({ type: 'boolean', default: true })
  billable!: boolean;

  /** The approved request this reading was applied from (at most one reading per request). */
  @Column({ name: 'request_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  requestId!: number | null;

  /**
   * The billing back office's own id of a reading it pushed in, unique within the
   * company: an import upserts by it. Null for customers' readings and readings loaded without one.
   */
  @Column({ name: 'external_ref', type: 'text', nullable: true })
  externalRef!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
