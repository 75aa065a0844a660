/** Why an admin's webhook URL is refused, or null when it is fine. */
export type WebhookUrlProblem = 'invalid' | 'httpsRequired' | 'credentials';

/**
 * A webhook URL must be absolute http(s) without user:password (the secret signs, the
 * URL does not authenticate); in production only https, as the payloads name customers.
 */
export function webhookUrlProblem(value: string, httpsOnly: boolean): WebhookUrlProblem | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'invalid';
  }
  if (value.length > 2000 || (url.protocol !== 'https:' && url.protocol !== 'http:')) return 'invalid';
  if (url.username || url.password) return 'credentials';
  if (httpsOnly && url.protocol !== 'https:') return 'httpsRequired';
  return null;
}
