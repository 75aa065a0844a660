import { Check, Column, CreateDateColumn, Entity, ForeignKey, PrimaryColumn } from 'typeorm';
import { bigintAsNumber } from '../../libs/typeorm/bigint-as-number';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/** How far one consumer of a company's feed has acknowledged it: items up to `acknowledgedSeq` never come again. */
@Entity('integration_feed_consumers')
@ForeignKey('Company', ['companyId'], ['id'], { name: 'integration_feed_consumers_company_id_fkey' })
@Check('integration_feed_consumers_name_check', `name ~ '^[A-Za-z0-9._-]{1,100}$'`)
@Check('integration_feed_consumers_acknowledged_seq_check', `acknowledged_seq >= 0`)
export class FeedConsumer {
  @PrimaryColumn({ name: 'company_id', type: 'integer' })
  companyId!: number;

  /** `key-<API key id>` by default, or a name the consumer chose. */
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ name: 'acknowledged_seq', type: 'bigint', default: 0, transformer: bigintAsNumber })
  acknowledgedSeq!: number;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
