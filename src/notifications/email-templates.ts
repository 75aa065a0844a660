import { z } from 'zod';

/** Languages an e-mail can be written in; the same as `email_log.language` allows. */
export const EMAIL_LANGUAGES = ['hu', 'en'] as const;
export type EmailLanguage = (typeof EMAIL_LANGUAGES)[number];

// Links go into href attributes, so only web addresses are accepted.
const webLink = z
  .string()
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'must be an http(s) link');

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');

/** A scheduled reminder about one unpaid invoice. */
const invoiceReminder = z.object({
  customerName: z.string().min(1),
  invoiceNumber: z.string().min(1),
  dueOn: isoDate,
  openAmount: z.number().int().positive(),
  link: webLink,
});

/** A scheduled reminder about one reading window (diktálási időszak). */
const readingWindowReminder = z.object({
  customerName: z.string().min(1),
  opensOn: isoDate,
  closesOn: isoDate,
  link: webLink,
});

/**
 * Every e-mail the portal sends and the params its templates need. Each key has a
 * folder under `templates/`. Params are checked when the e-mail is queued, so a
 * caller's mistake fails its own transaction instead of a send hours later.
 */
export const EMAIL_TEMPLATES = {
  'email-verification': z.object({
    customerName: z.string().min(1),
    link: webLink,
    expiresInHours: z.number().int().positive(),
  }),
  'password-reset': z.object({
    link: webLink,
    expiresInHours: z.number().int().positive(),
  }),
  /** A generic event notification: a title, text lines, and a link to the page it is about. */
  notification: z.object({
    title: z.string().min(1),
    lines: z.array(z.string()).min(1),
    link: z.object({ url: webLink, label: z.string().min(1) }).optional(),
  }),
  'due-date-reminder': invoiceReminder,
  'invoice-overdue': invoiceReminder,
  'reading-window-opened': readingWindowReminder,
  'reading-window-closing': readingWindowReminder,
  /** An invoice was issued; for an e-invoice service point the PDF is attached (the e-invoice delivery itself). */
  'invoice-issued': z.object({
    customerName: z.string().min(1),
    invoiceNumber: z.string().min(1),
    issuedOn: isoDate,
    dueOn: isoDate,
    grossTotal: z.number().int().nonnegative(),
    eInvoice: z.boolean(),
    link: webLink,
  }),
  /** A card payment the bank confirmed: amount, the bank's reference, and what it paid. */
  'payment-receipt': z.object({
    customerName: z.string().min(1),
    amount: z.number().int().positive(),
    reference: z.string().min(1),
    paidAt: z.string().datetime({ offset: true }),
    allocations: z
      .array(z.object({ reference: z.string().min(1), description: z.string().min(1), amount: z.number().int().positive() }))
      .min(1),
    link: webLink,
  }),
  /**
   * A customer's request was decided: approved, rejected (with the clerk's reason) or
   * applied. The request kind writes the subject and the one-line summary.
   */
  'request-decided': z.object({
    customerName: z.string().min(1),
    outcome: z.enum(['approved', 'rejected', 'applied']),
    subject: z.string().min(1).max(200),
    summary: z.string().min(1),
    reason: z.string().min(1).optional(),
    link: z.object({ url: webLink, label: z.string().min(1) }),
  }),
} satisfies Record<string, z.ZodTypeAny>;

export type EmailTemplate = keyof typeof EMAIL_TEMPLATES;
export type EmailParams<T extends EmailTemplate> = z.infer<(typeof EMAIL_TEMPLATES)[T]>;
