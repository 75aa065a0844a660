import { hashSecret, looksLikeSecret, newSecret, sameSecret } from './tokens';

describe('tokens', () => {
  it('makes 256-bit base64url secrets that look like secrets and never repeat', () => {
    const secrets = new Set(Array.from({ length: 200 }, () => newSecret()));
    expect(secrets.size).toBe(200);
    for (const secret of secrets) expect(looksLikeSecret(secret)).toBe(true);
  });

  it('hashes a secret to a stable SHA-256 hex digest that differs per secret', () => {
    expect(hashSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const secret = newSecret();
    expect(hashSecret(secret)).toBe(hashSecret(secret));
    expect(hashSecret(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSecret(secret)).not.toBe(hashSecret(newSecret()));
    expect(hashSecret(secret)).not.toContain(secret);
  });

  it('compares secrets exactly: equal only for the same string, false (not an exception) for other lengths', () => {
    const secret = newSecret();
    expect(sameSecret(secret, `${secret}`)).toBe(true);
    expect(sameSecret(secret, secret.slice(0, -1))).toBe(false);
    expect(sameSecret(secret, `${secret}x`)).toBe(false);
    expect(sameSecret(secret, '')).toBe(false);
    expect(sameSecret('', '')).toBe(true);
    const flipped = (secret[0] === 'A' ? 'B' : 'A') + secret.slice(1);
    expect(sameSecret(secret, flipped)).toBe(false);
    expect(sameSecret(secret, secret.toUpperCase())).toBe(secret === secret.toUpperCase());
    // Same number of UTF-16 units, different byte lengths: no exception from timingSafeEqual.
    expect(sameSecret('é', 'e')).toBe(false);
  });

  it('accepts only the exact shape of a secret before any look-up', () => {
    const secret = newSecret();
    expect(looksLikeSecret(secret.slice(1))).toBe(false);
    expect(looksLikeSecret(`${secret}A`)).toBe(false);
    expect(looksLikeSecret(`${secret.slice(1)}=`)).toBe(false);
    expect(looksLikeSecret(`${secret.slice(1)}+`)).toBe(false);
    expect(looksLikeSecret("' OR 1=1 --" + 'x'.repeat(32))).toBe(false);
    for (const value of [undefined, null, 42, {}, [secret]]) expect(looksLikeSecret(value)).toBe(false);
  });
});
