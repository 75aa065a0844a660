import { CaughtMail } from '../../libs/testing/smtp-catcher';

/**
 * The first web link in a caught e-mail's plain-text part that starts with
 * `prefix`, e.g. the verification link a registration test must follow.
 */
export function linkIn(mail: CaughtMail, prefix = 'http'): string {
  const link = (mail.text.match(/https?:\/\/\S+/g) ?? []).find((candidate) => candidate.startsWith(prefix));
  if (!link) throw new Error(`No link starting with ${prefix} in the mail "${mail.subject}":\n${mail.text}`);
  return link;
}
