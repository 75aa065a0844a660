import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>`, as in Stripe's scheme. */
export const WEBHOOK_SIGNATURE_HEADER = 'ugyfelportal-signature';

/** How old a signed timestamp a receiver should accept (it guards against replays). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

/** A new signing secret, shown to the admin once. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

function hmac(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** The signature header's value for `rawBody` (the exact bytes sent) signed at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, rawBody: string | Buffer): string {
  return `t=${timestamp},v1=${hmac(secret, timestamp, rawBody)}`;
}

/**
 * What a receiver does: true when one `v1` of the header is the HMAC of `t.rawBody` under
 * `secret` and `t` is within `toleranceSeconds` of `now`. Compared in constant time.
 */
export function verifyWebhookSignature(
  header: string | undefined,
  rawBody: string | Buffer,
  secret: string,
  options: { now?: Date; toleranceSeconds?: number } = {},
): boolean {
  if (!header) return false;
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamp = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isSafeInteger(timestamp)) return false;
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(hmac(secret, timestamp, rawBody), 'hex');
  return parts
    .filter(([key, value]) => key === 'v1' && /^[0-9a-f]{64}$/.test(value ?? ''))
    .some(([, value]) => timingSafeEqual(Buffer.from(value, 'hex'), expected));
}

/** What a stored endpoint secret is bound to (authenticated with the sealed value, so it does not open on another row). */
export function webhookSecretContext(companyId: number, endpointId: number): string {
  return `webhook:${companyId}:${endpointId}`;
}
