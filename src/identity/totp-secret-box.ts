import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** The encryption keys of TOTP_ENCRYPTION_KEYS: the first encrypts, every one decrypts. */
export interface TotpKeyring {
  currentId: string;
  keys: ReadonlyMap<string, Buffer>;
}

const VERSION = 'v1';
const IV_BYTES = 12;

export class TotpSecretError extends Error {}

/** Parses `id:base64key[,id:base64key…]` (already validated by the config schema). */
export function parseTotpKeyring(setting: string): TotpKeyring {
  const keys = new Map<string, Buffer>();
  for (const entry of setting.split(',')) {
    const [id, encoded] = entry.trim().split(':');
    const key = Buffer.from(encoded ?? '', 'base64');
    if (!id || key.length !== 32) throw new TotpSecretError(`TOTP key "${id}" must be 32 bytes in base64`);
    if (keys.has(id)) throw new TotpSecretError(`TOTP key id "${id}" appears twice`);
    keys.set(id, key);
  }
  const currentId = keys.keys().next().value;
  if (currentId === undefined) throw new TotpSecretError('No TOTP encryption key');
  return { currentId, keys };
}

/**
 * A TOTP secret sealed with AES-256-GCM under the current key, as
 * `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts): the key id beside the
 * ciphertext says which key opens it, so keys can be rotated. `context` (the clerk it
 * belongs to) is authenticated too, so a sealed secret copied to another row does not open.
 */
export function sealTotpSecret(secret: string, context: string, keyring: TotpKeyring): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyring.keys.get(keyring.currentId) as Buffer, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), ciphertext].map((part) => part.toString('base64url'));
  return [VERSION, keyring.currentId, ...parts].join('.');
}

/** The secret inside a sealed value; throws when the key is unknown or the value or context was altered. */
export function openTotpSecret(sealed: string, context: string, keyring: TotpKeyring): string {
  const [version, keyId, iv, tag, ciphertext, ...rest] = sealed.split('.');
  if (version !== VERSION || rest.length > 0 || !iv || !tag || ciphertext === undefined) {
    throw new TotpSecretError('Not a sealed TOTP secret');
  }
  const key = keyring.keys.get(keyId);
  if (!key) throw new TotpSecretError(`TOTP secret sealed with key "${keyId}", which TOTP_ENCRYPTION_KEYS no longer holds`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new TotpSecretError('TOTP secret does not open: altered, or sealed for another clerk');
  }
}

/** True when `sealed` is sealed (not plain text). */
export function isSealedTotpSecret(value: string): boolean {
  return value.startsWith(`${VERSION}.`);
}

/** True when `sealed` was sealed with the current key (otherwise it should be sealed again). */
export function sealedWithCurrentKey(sealed: string, keyring: TotpKeyring): boolean {
  return sealed.split('.')[1] === keyring.currentId;
}

/** What a stored clerk secret is bound to. */
export function clerkTotpContext(companyId: number, clerkId: number): string {
  return `clerk:${companyId}:${clerkId}`;
}
