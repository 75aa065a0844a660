import { Check, Column, Entity, ForeignKey, Index } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { Meter } from './meter.entity';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * When customers may report readings (diktálási időszak), both days included.
 * A window with no meter applies to every meter of the company.
 */
@Entity('reading_windows')
@Index('reading_windows_lookup_idx', ['companyId', 'meterId', 'opensOn'])
@ForeignKey('Company', ['companyId'], ['id'], { name: 'reading_windows_company_id_fkey' })
@ForeignKey(() => Meter, ['companyId', 'meterId'], ['companyId', 'id'], { name: 'reading_windows_company_id_meter_id_fkey' })
@Check('reading_windows_check', `closes_on >= opens_on`)
@Index('reading_windows_external_ref_key', ['companyId', 'externalRef'], { unique: true, where: 'external_ref IS NOT NULL' })
@Check('reading_windows_external_ref_check', `external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100`)
export class ReadingWindow {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'meter_id', type: 'bigint', nullable: true, transformer: bigintAsNumber })
  meterId!: number | null;

  /** 'YYYY-MM-DD' */
  @Column({ name: 'opens_on', type: 'date' })
  opensOn!: string;

  /** 'YYYY-MM-DD', the last day a reading is accepted. */
  @Column({ name: 'closes_on', type: 'date' })
  closesOn!: string;

  /** The billing back office's own id of the row (what its imports upsert by); null for rows the portal made. */
  @Column({ name: 'external_ref', type: 'text', nullable: true })
  externalRef!: string | null;
}
