import { authenticator } from 'otplib';
import { currentTotpCode, generateTotpSecret, normaliseTotpCode, totpUri, verifyTotp } from './totp';

describe('TOTP wrapper', () => {
  const secret = generateTotpSecret();

  it('makes a base32 secret and an otpauth URI naming issuer and account', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = totpUri(secret, 'admin@minta.local (minta)');
    expect(uri.startsWith('otpauth://totp/')).toBe(true);
    expect(uri).toContain(`secret=${secret}`);
    expect(uri).toContain('issuer=');
  });

  it('accepts the current code, also with spaces typed in it', () => {
    const code = currentTotpCode(secret);
    expect(verifyTotp(secret, code)).toBe(true);
    expect(verifyTotp(secret, `${code.slice(0, 3)} ${code.slice(3)}`)).toBe(true);
  });

  it('accepts one step of clock drift but not more', () => {
    // A fixed secret and instant, so that no two of the codes compared can coincide by chance.
    const fixedSecret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const now = Date.UTC(2026, 0, 15, 9, 0, 10);
    const step = 30_000;
    const at = (offset: number) => authenticator.clone({ epoch: now + offset }).generate(fixedSecret);
    jest.useFakeTimers({ now });
    try {
      const codes = [-5, -2, -1, 0, 1, 2].map((steps) => at(steps * step));
      expect(new Set(codes).size).toBe(codes.length);
      expect([-1, 0, 1].map((steps) => verifyTotp(fixedSecret, at(steps * step)))).toEqual([true, true, true]);
      expect([-5, -2, 2].map((steps) => verifyTotp(fixedSecret, at(steps * step)))).toEqual([false, false, false]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses junk without throwing: wrong code, no secret, wrong types, non-digits', () => {
    const wrong = String((Number(currentTotpCode(secret)) + 500_000) % 1_000_000).padStart(6, '0');
    expect(verifyTotp(secret, wrong)).toBe(false);
    expect(verifyTotp(null, currentTotpCode(secret))).toBe(false);
    expect(verifyTotp('not base32 !!', '123456')).toBe(false);
    for (const junk of [undefined, 123456, '12345', '1234567', 'abcdef', "1' OR '1"]) expect(verifyTotp(secret, junk)).toBe(false);
    expect(normaliseTotpCode(' 123 456 ')).toBe('123456');
  });
});
