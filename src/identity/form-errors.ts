import { plainToInstance } from 'class-transformer';
import { validate, ValidationError } from 'class-validator';
import { PageReply } from '../web/http';
import { Language, translate } from '../web/i18n';
import { pageText } from '../web/page-text';

const FIELD_LABELS: Record<string, string> = {
  companyId: 'identity.field.company',
  customerCode: 'identity.field.customerCode',
  invoiceNumber: 'identity.field.invoiceNumber',
  amount: 'identity.field.amount',
  email: 'identity.field.email',
  identifier: 'identity.field.identifier',
  password: 'identity.field.password',
  currentPassword: 'identity.field.currentPassword',
  newPassword: 'identity.field.newPassword',
  token: 'identity.field.password',
};

function messageFor(error: ValidationError, language: Language): string {
  const field = translate(language, FIELD_LABELS[error.property] ?? 'identity.field.password');
  const failed = Object.keys(error.constraints ?? {});
  if (failed.includes('isNotEmpty') || (failed.includes('isString') && error.value === undefined))
    return translate(language, 'identity.error.required', { field });
  if (failed.includes('maxLength')) {
    const max = /(\d+)/.exec(error.constraints?.maxLength ?? '')?.[1] ?? '';
    return translate(language, 'identity.error.tooLong', { field, max });
  }
  if (error.property === 'companyId') return translate(language, 'identity.error.company', { field });
  if (failed.includes('isEmail')) return translate(language, 'identity.error.email', { field });
  return translate(language, 'identity.error.invalid', { field });
}

/** Validates a submitted form with the API's DTO; returns the DTO or translated messages per field. */
export async function validateForm<T extends object>(
  dto: new () => T,
  body: unknown,
  language: Language,
): Promise<{ value: T; errors: Record<string, string> }> {
  const plain = typeof body === 'object' && body !== null ? body : {};
  const value = plainToInstance(dto, plain);
  const problems = await validate(value, { whitelist: true, forbidUnknownValues: false });
  const errors: Record<string, string> = {};
  for (const problem of problems) errors[problem.property] ??= messageFor(problem, language);
  return { value, errors };
}

/** The submitted text fields to show again (never passwords), as plain strings. */
export function echo(body: unknown, fields: string[]): Record<string, string> {
  const source = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(
    fields.map((field) => [field, typeof source[field] === 'string' ? (source[field] as string).slice(0, 300) : '']),
  );
}

/** Field problems of a back-office form as translated messages, one per field (the pages show them above the form). */
export async function backofficeFormErrors<T extends object>(
  res: PageReply,
  dto: new () => T,
  body: unknown,
): Promise<{ value: T; errors: string[] }> {
  const value = plainToInstance(dto, typeof body === 'object' && body !== null ? body : {});
  const problems = await validate(value, { whitelist: true });
  return { value, errors: problems.map((problem) => pageText(res, `identity.backoffice.error.field.${problem.property}`)) };
}
