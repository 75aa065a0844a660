import { randomBytes } from 'node:crypto';
import { hashSecret, newSecret } from '../../libs/crypto/tokens';

/** `ik_<12 hex: the key's public prefix>_<43 base64url: 256 random bits>`. */
const KEY_SHAPE = /^ik_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  /** The whole key: shown to the admin once, never stored. */
  key: string;
  prefix: string;
  /** What is stored: SHA-256 (hex) of the whole key. */
  hash: string;
}

/** A fresh key. A 256-bit random secret needs no slow hash: SHA-256 of it cannot be reversed or guessed. */
export function newApiKey(): NewApiKey {
  const prefix = randomBytes(6).toString('hex');
  const key = `ik_${prefix}_${newSecret()}`;
  return { key, prefix, hash: hashSecret(key) };
}

/** The prefix and hash of a presented key, or null when it does not even have a key's shape (no look-up then). */
export function parseApiKey(value: string): { prefix: string; hash: string } | null {
  const match = KEY_SHAPE.exec(value);
  return match ? { prefix: match[1], hash: hashSecret(value) } : null;
}

/** The key of an `Authorization: Bearer <key>` header value. */
export function bearerKey(header: string | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1] ?? null;
}
