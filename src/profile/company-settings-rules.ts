import { PAYMENT_METHODS, PaymentMethod } from '../identity/customer.entity';
import { PROFILE_FIELDS, ProfileField } from './profile-settings.entity';

/** Days a company may give itself to answer a request (the table's check says the same). */
export const ANSWER_DAYS_MIN = 1;
export const ANSWER_DAYS_MAX = 365;

/** An admin's settings as sent (a form's strings or the API's JSON). */
export interface CompanySettingsInput {
  editableFields: unknown;
  paymentMethods: unknown;
  /** Days per request kind; null or empty: the kind's default. */
  answerDays: Readonly<Record<string, unknown>>;
}

/** The settings checked: what a customer may change online, the payment methods, and the deadlines to store. */
export interface CompanySettingsChange {
  editableFields: ProfileField[];
  paymentMethods: PaymentMethod[];
  answerDays: Map<string, number | null>;
}

export type SettingsErrorCode = 'unknown_field' | 'unknown_payment_method' | 'no_payment_method' | 'unknown_kind' | 'invalid_answer_days';

export interface SettingsError {
  /** `editableFields`, `paymentMethods`, or `answerDays.<kind>`. */
  field: string;
  code: SettingsErrorCode;
  message: string;
}

/** A list from a form (one value or many) or JSON; null when it is neither. */
function stringList(value: unknown): string[] | null {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return [value];
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
}

/** Days as a whole number in range, null for "the default", undefined when it is not a valid number. */
function answerDays(value: unknown): number | null | undefined {
  if (value === null || value === undefined || (typeof value === 'string' && value.trim() === '')) return null;
  const days = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d{1,3}\s*$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(days) && days >= ANSWER_DAYS_MIN && days <= ANSWER_DAYS_MAX ? days : undefined;
}

/**
 * Checks an admin's settings: fields and payment methods the portal knows (at least one
 * payment method, for customers who change theirs), and each request kind's answer days
 * a whole number from 1 to 365 or empty for the default. Every error at once.
 */
export function checkCompanySettings(
  input: CompanySettingsInput,
  kinds: readonly string[],
): { ok: true; value: CompanySettingsChange } | { ok: false; errors: SettingsError[] } {
  const errors: SettingsError[] = [];
  const fields = stringList(input.editableFields);
  if (fields === null || fields.some((field) => !(PROFILE_FIELDS as readonly string[]).includes(field))) {
    errors.push({ field: 'editableFields', code: 'unknown_field', message: `Fields are some of ${PROFILE_FIELDS.join(', ')}` });
  }
  const methods = stringList(input.paymentMethods);
  if (methods === null || methods.some((method) => !(PAYMENT_METHODS as readonly string[]).includes(method))) {
    errors.push({
      field: 'paymentMethods',
      code: 'unknown_payment_method',
      message: `Payment methods are some of ${PAYMENT_METHODS.join(', ')}`,
    });
  } else if (methods.length === 0) {
    errors.push({ field: 'paymentMethods', code: 'no_payment_method', message: 'Offer at least one payment method' });
  }
  const days = new Map<string, number | null>();
  for (const [kind, value] of Object.entries(input.answerDays)) {
    if (!kinds.includes(kind)) {
      errors.push({ field: `answerDays.${kind}`, code: 'unknown_kind', message: `${kind} is not a request kind` });
      continue;
    }
    const checked = answerDays(value);
    if (checked === undefined) {
      errors.push({
        field: `answerDays.${kind}`,
        code: 'invalid_answer_days',
        message: `Answer days are a whole number from ${ANSWER_DAYS_MIN} to ${ANSWER_DAYS_MAX}, or empty for the default`,
      });
    } else days.set(kind, checked);
  }
  if (errors.length > 0) return { ok: false, errors };
  // Kept in the portal's order, whatever order they came in.
  return {
    ok: true,
    value: {
      editableFields: PROFILE_FIELDS.filter((field) => fields!.includes(field)),
      paymentMethods: PAYMENT_METHODS.filter((method) => methods!.includes(method)),
      answerDays: days,
    },
  };
}
