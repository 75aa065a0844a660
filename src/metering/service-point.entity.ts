import { Check, Column, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** A supply address of a customer (szolgáltatási pont), with its meters. */
@Entity('service_points')
@Unique('service_points_company_id_key', ['companyId', 'id'])
@Index('service_points_customer_idx', ['companyId', 'customerId'])
// (company_id, lower(address) text_pattern_ops): the clerk's prefix search; the migration owns it.
@Index('service_points_address_prefix_idx', { synchronize: false })
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], { name: 'service_points_company_id_customer_id_fkey' })
@Check('service_points_postcode_check', `postcode ~ '^[0-9]{4}$'`)
@Check('service_points_town_check', `length(town) BETWEEN 1 AND 100`)
@Check('service_points_address_check', `length(address) BETWEEN 1 AND 200`)
@Index('service_points_external_ref_key', ['companyId', 'externalRef'], { unique: true, where: 'external_ref IS NOT NULL' })
@Check('service_points_external_ref_check', `external_ref IS NULL OR length(external_ref) BETWEEN 1 AND 100`)
export class ServicePoint {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @Column({ type: 'text' })
  postcode!: string;

  @Column({ type: 'text' })
  town!: string;

  @Column({ type: 'text' })
  address!: string;

  @Column({ name: 'e_invoice', type: 'boolean', default: false })
  eInvoice!: boolean;

  /** The billing back office's own id of the row (what its imports upsert by); null for rows the portal made. */
  @Column({ name: 'external_ref', type: 'text', nullable: true })
  externalRef!: string | null;
}
