import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, Unique } from 'typeorm';
import { BigIntIdColumn, bigintAsNumber } from '../../libs/typeorm/bigint-as-number';

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * The audit trail of e-invoice consent: one row per applied opt-in or opt-out of a
 * service point, with the text the customer agreed to and when. Append-only by use.
 */
@Entity('e_invoice_consents')
@Unique('e_invoice_consents_request_key', ['companyId', 'requestId'])
@Index('e_invoice_consents_service_point_idx', ['companyId', 'servicePointId', 'appliedAt'])
@ForeignKey('ServicePoint', ['companyId', 'servicePointId'], ['companyId', 'id'], {
  name: 'e_invoice_consents_company_id_service_point_id_fkey',
})
@ForeignKey('ChangeRequest', ['companyId', 'requestId'], ['companyId', 'id'], { name: 'e_invoice_consents_company_id_request_id_fkey' })
@Check('e_invoice_consents_consent_text_check', `length(consent_text) BETWEEN 1 AND 2000`)
export class EInvoiceConsent {
  @BigIntIdColumn()
  id!: number;

  @Column({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'customer_id', type: 'bigint', transformer: bigintAsNumber })
  customerId!: number;

  @Column({ name: 'service_point_id', type: 'bigint', transformer: bigintAsNumber })
  servicePointId!: number;

  @Column({ name: 'request_id', type: 'bigint', transformer: bigintAsNumber })
  requestId!: number;

  @Column({ name: 'opted_in', type: 'boolean' })
  optedIn!: boolean;

  /** The consent text as shown to the customer when they switched. */
  @Column({ name: 'consent_text', type: 'text' })
  consentText!: string;

  /** When the customer gave (or withdrew) consent: the request's submission. */
  @Column({ name: 'consented_at', type: 'timestamptz' })
  consentedAt!: Date;

  @CreateDateColumn({ name: 'applied_at', type: 'timestamptz' })
  appliedAt!: Date;
}
