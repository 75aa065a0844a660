import { Check, Column, CreateDateColumn, Entity, ForeignKey, PrimaryColumn, Unique } from 'typeorm';
import { bigintAsNumber } from '../../libs/typeorm/bigint-as-number';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** A customer's secret iCal feed: only the token's SHA-256 is stored. */
@Entity('calendar_feeds')
@Unique('calendar_feeds_token_hash_key', ['tokenHash'])
@ForeignKey('Customer', ['companyId', 'customerId'], ['companyId', 'id'], {
  name: 'calendar_feeds_company_id_customer_id_fkey',
  onDelete: 'CASCADE',
})
@Check('calendar_feeds_token_hash_check', `token_hash ~ '^[0-9a-f]{64}$'`)
export class CalendarFeed {
  @PrimaryColumn({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @PrimaryColumn({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @Column({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
