import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/** The customer fields a data change may touch (Ügyféladatok), as named in requests' payloads. */
export const PROFILE_FIELDS = ['email', 'phone', 'postcode', 'town', 'address', 'paymentMethod', 'name'] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

// Another module's entities are named, not imported, in foreign keys: a link in the schema, not a code dependency.
/**
 * What a company lets its customers change online and which payment methods it offers.
 * A company without a row gets the defaults (ProfileSettingsService).
 */
@Entity('profile_settings')
@ForeignKey('Company', ['companyId'], ['id'], { name: 'profile_settings_company_id_fkey' })
@Check(
  'profile_settings_editable_fields_check',
  `editable_fields <@ ARRAY['email', 'phone', 'postcode', 'town', 'address', 'paymentMethod', 'name']::text[]`,
)
@Check(
  'profile_settings_payment_methods_check',
  `payment_methods <@ ARRAY['postal_order', 'bank_transfer', 'direct_debit', 'card']::text[] AND cardinality(payment_methods) > 0`,
)
export class ProfileSettings {
  @PrimaryColumn({ name: 'company_id', type: 'integer' })
  companyId!: number;

  @Column({ name: 'editable_fields', type: 'text', array: true })
  editableFields!: ProfileField[];

  @Column({ name: 'payment_methods', type: 'text', array: true })
  paymentMethods!: string[];
}
