import { NotificationTopic } from './notification-preference.entity';

/** The scheduled reminders, each sent at most once per customer and invoice or reading window. */
export const REMINDER_KINDS = ['due_date', 'overdue', 'window_opened', 'window_closing'] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];

/** The preference topic that lets a customer turn each reminder off. */
export const REMINDER_TOPICS: Readonly<Record<ReminderKind, NotificationTopic>> = {
  due_date: 'due_date_reminder',
  overdue: 'invoice_overdue',
  window_opened: 'reading_window_due',
  window_closing: 'reading_window_due',
};

export const REMINDER_TEMPLATES = {
  due_date: 'due-date-reminder',
  overdue: 'invoice-overdue',
  window_opened: 'reading-window-opened',
  window_closing: 'reading-window-closing',
} as const satisfies Record<ReminderKind, string>;

export function isReminderKind(value: unknown): value is ReminderKind {
  return typeof value === 'string' && (REMINDER_KINDS as readonly string[]).includes(value);
}
