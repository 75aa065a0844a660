import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';
import { ServicePoint } from './service-point.entity';

export const METER_TYPES = ['hot_water', 'cold_water', 'heat', 'gas'] as const;
export type MeterType = (typeof METER_TYPES)[number];

export const METER_UNITS = ['m3', 'kWh', 'GJ'] as const;
export type MeterUnit = (typeof METER_UNITS)[number];

/** A meter (mérőóra) at a service point. */
@Entity('meters')
@Unique('meters_company_serial_key', ['companyId', 'serialNumber'])
@Unique('meters_company_id_key', ['companyId', 'id'])
@Index('meters_service_point_idx', ['companyId', 'servicePointId'])
@ForeignKey(() => ServicePoint, ['companyId', 'servicePointId'], ['companyId', 'id'], {
  name: 'meters_company_id_service_point_id_fkey',
})
@Check('meters_serial_number_check', `length(serial_number) BETWEEN 1 AND 40`)
@Check('meters_type_check', `type IN ('hot_water', 'cold_water', 'heat', 'gas')`)
@Check('meters_unit_check', `unit IN ('m3', 'kWh', 'GJ')`)
@Check('meters_decimals_check', `decimals BETWEEN 0 AND 3`)
@Check('meters_provider_reading_period_check', `provider_reading_period IS NULL OR length(provider_reading_period) <= 100`)
@Index('meters_external_ref_key', ['companyId', 'externalRef'], { unique: true, where: 'external_ref IS NOT NULL' })
@Check('meters_external_ref_check', `external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100`)
export class Meter {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'service_point_id', type: 'bigint', transformer: bigintAsNumber })
  servicePointId!: number;

  /** Gyári szám; unique within the company. */
  @Column({ name: 'serial_number', type: 'text' })
  serialNumber!: string;

  @Column({ type: 'text' })
  type!: MeterType;

  @Column({ type: 'text' })
  unit!: MeterUnit;

  /** Decimal places the meter shows (0–3); readings are entered with this precision. */
  @Column({ type: 'smallint', default: 0 })
  decimals!: number;

  /** Hitelesítve: the calibration date, 'YYYY-MM-DD'. */
  @Column({ name: 'calibrated_at', type: 'date', nullable: true })
  calibratedAt!: string | null;

  /** Free text from the billing back office on when the provider reads the meter. */
  @Column({ name: 'provider_reading_period', type: 'text', nullable: true })
  providerReadingPeriod!: string | null;

  /** The billing back office's own id of the row (what its imports upsert by); null for rows the portal made. */
  @Column({ name: 'external_ref', type: 'text', nullable: true })
  externalRef!: string | null;
}
