import { createHmac } from 'node:crypto';
import { sameSecret } from '../../libs/crypto/tokens';
import { NOTIFICATION_TOPICS, NotificationTopic } from './notification-preference.entity';

export interface UnsubscribeTarget {
  companyId: number;
  customerId: number;
  topic: NotificationTopic;
}

function signature(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(`unsubscribe:${payload}`).digest('base64url');
}

/**
 * A token that turns one topic off for one customer without a login. It is signed,
 * not stored: it cannot be forged, and it only ever does what its e-mail offered.
 */
export function signUnsubscribeToken(target: UnsubscribeTarget, secret: string): string {
  const payload = `${target.companyId}.${target.customerId}.${target.topic}`;
  return `${payload}.${signature(payload, secret)}`;
}

/** The target of a token this portal signed, or null for anything else. */
export function verifyUnsubscribeToken(token: unknown, secret: string): UnsubscribeTarget | null {
  if (typeof token !== 'string' || token.length > 200) return null;
  const match = /^(\d{1,9})\.(\d{1,15})\.([a-z_]{1,40})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return null;
  const [, company, customer, topic, signed] = match;
  if (!sameSecret(signed, signature(`${company}.${customer}.${topic}`, secret))) return null;
  if (!(NOTIFICATION_TOPICS as readonly string[]).includes(topic)) return null;
  return { companyId: Number(company), customerId: Number(customer), topic: topic as NotificationTopic };
}
