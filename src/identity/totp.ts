import { authenticator } from 'otplib';

/**
 * TOTP (RFC 6238) through otplib: 6 digits, 30-second steps, SHA-1 (what every
 * authenticator app supports). One step either side is accepted for clock drift.
 */
const totp = authenticator.clone({ window: 1 });

export const TOTP_ISSUER = 'Ügyfélportál';

/** A new random base32 secret (160 bits). */
export function generateTotpSecret(): string {
  return totp.generateSecret(20);
}

/** The otpauth:// URI an authenticator app reads (as text or as a QR code). */
export function totpUri(secret: string, accountLabel: string, issuer: string = TOTP_ISSUER): string {
  return totp.keyuri(accountLabel, issuer, secret);
}

/** Only six ASCII digits can be a code; spaces users type in the middle are dropped. */
export function normaliseTotpCode(code: unknown): string | null {
  if (typeof code !== 'string') return null;
  const digits = code.replace(/\s+/g, '');
  return /^[0-9]{6}$/.test(digits) ? digits : null;
}

/** True when `code` is valid for `secret` now (± one step); never throws on junk input. */
export function verifyTotp(secret: string | null, code: unknown): boolean {
  const normalised = normaliseTotpCode(code);
  if (!secret || !normalised) return false;
  try {
    return totp.check(normalised, secret);
  } catch {
    return false;
  }
}

/** The current code for a secret: for tests and the demo, never shown to users. */
export function currentTotpCode(secret: string): string {
  return totp.generate(secret);
}
