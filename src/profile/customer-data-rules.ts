import { CustomerData, CustomerDataField } from '../identity/customer-records.service';
import { PaymentMethod } from '../identity/customer.entity';
import { isKnownPostcode, postcodeMatchesTown } from './postcodes';

/** What a company lets its customers change online, and the payment methods it offers. */
export interface ProfileRules {
  editableFields: readonly CustomerDataField[];
  paymentMethods: readonly PaymentMethod[];
}

export type FieldErrorCode =
  | 'not_editable'
  | 'required'
  | 'too_long'
  | 'invalid_email'
  | 'invalid_phone'
  | 'invalid_postcode'
  | 'unknown_postcode'
  | 'postcode_town'
  | 'invalid_payment_method';

export interface FieldError {
  field: CustomerDataField;
  code: FieldErrorCode;
  message: string;
}

/** The customer data fields in the order pages show them (the seed's Ügyféladatok screen, the billing name last). */
export const FIELD_ORDER: readonly CustomerDataField[] = ['email', 'phone', 'postcode', 'town', 'address', 'paymentMethod', 'name'];

/** The fields of `changes` in FIELD_ORDER (a jsonb payload does not keep the order they were written in). */
export const orderedFields = (changes: FieldChanges): CustomerDataField[] => FIELD_ORDER.filter((field) => Object.hasOwn(changes, field));

/** The fields that change: old and new value of each. */
export type FieldChanges = Partial<Record<CustomerDataField, { from: string | null; to: string | null }>>;

const MAX_LENGTH: Record<CustomerDataField, number> = {
  name: 200,
  email: 254,
  phone: 40,
  postcode: 4,
  town: 100,
  address: 200,
  paymentMethod: 40,
};

const OPTIONAL: ReadonlySet<CustomerDataField> = new Set(['phone']);

// One address, no spaces, a dot in the domain: what a mail server will take, not RFC 5322 in full.
const EMAIL = /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;".]{2,}$/;

/**
 * A Hungarian phone number (+36 or 06, then the area code and the subscriber number),
 * written the usual way: "+36 1 234 5678", "+36 30 123 4567", "+36 62 123 456".
 * Null when it is not one: Budapest (1) has 7 digits after the area code, mobile
 * networks (20, 30, 31, 50, 70) 7, other areas (22–99) 6.
 */
export function normalisePhone(input: string): string | null {
  const digits = input.replace(/[\s\-/().]/g, '');
  const match = /^(?:\+36|06)(\d+)$/.exec(digits);
  if (!match) return null;
  const rest = match[1];
  if (/^1\d{7}$/.test(rest)) return `+36 1 ${rest.slice(1, 4)} ${rest.slice(4)}`;
  if (/^(20|30|31|50|70)\d{7}$/.test(rest)) return `+36 ${rest.slice(0, 2)} ${rest.slice(2, 5)} ${rest.slice(5)}`;
  if (/^[2-9]\d{7}$/.test(rest) && !/^(20|30|31|50|70)/.test(rest)) return `+36 ${rest.slice(0, 2)} ${rest.slice(2, 5)} ${rest.slice(5)}`;
  return null;
}

/**
 * The customer's proposed data (fields as typed) checked against their current data and
 * the company's rules: only the fields that really change, each with its old and new
 * value, or every field's error with a message in English (pages translate the code).
 * Postcode and town are checked together whenever either changes.
 */
export function checkDataChange(
  current: CustomerData,
  proposed: Partial<Record<CustomerDataField, unknown>>,
  rules: ProfileRules,
): { ok: true; changes: FieldChanges } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const changes: FieldChanges = {};
  const error = (field: CustomerDataField, code: FieldErrorCode, message: string) => errors.push({ field, code, message });
  for (const field of FIELD_ORDER) {
    const raw = proposed[field];
    if (typeof raw !== 'string') continue;
    let value: string | null = raw.trim().replace(/\s+/g, ' ');
    if (field === 'email') value = value.toLowerCase();
    if (field === 'phone' && value !== '') value = normalisePhone(value) ?? value;
    if (value === '') value = null;
    if ((value ?? null) === (current[field] ?? null)) continue;
    if (!rules.editableFields.includes(field)) {
      error(field, 'not_editable', `${field} cannot be changed online`);
      continue;
    }
    if (value === null) {
      if (!OPTIONAL.has(field)) error(field, 'required', `${field} is required`);
      else changes[field] = { from: current[field], to: null };
      continue;
    }
    if (value.length > MAX_LENGTH[field]) {
      error(field, 'too_long', `${field} is at most ${MAX_LENGTH[field]} characters`);
      continue;
    }
    if (field === 'email' && !EMAIL.test(value)) error(field, 'invalid_email', 'Not an e-mail address');
    else if (field === 'phone' && normalisePhone(value) === null) error(field, 'invalid_phone', 'Not a Hungarian phone number');
    else if (field === 'postcode' && !/^\d{4}$/.test(value)) error(field, 'invalid_postcode', 'A postcode is 4 digits');
    else if (field === 'postcode' && !isKnownPostcode(value)) error(field, 'unknown_postcode', 'No such postcode in Hungary');
    else if (field === 'paymentMethod' && !(rules.paymentMethods as readonly string[]).includes(value)) {
      error(field, 'invalid_payment_method', 'Not a payment method of the company');
    } else changes[field] = { from: current[field], to: value };
  }
  if ((changes.postcode || changes.town) && !errors.some((e) => e.field === 'postcode' || e.field === 'town')) {
    const postcode = changes.postcode?.to ?? current.postcode;
    const town = changes.town?.to ?? current.town;
    if (!postcodeMatchesTown(postcode, town)) error('town', 'postcode_town', `${postcode} is not a postcode of ${town}`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, changes };
}
