import { randomBytes } from 'node:crypto';
import { isSealedTotpSecret, openTotpSecret, parseTotpKeyring, sealedWithCurrentKey, sealTotpSecret } from './totp-secret-box';

const key = () => randomBytes(32).toString('base64');

describe('TOTP secret box', () => {
  const oldKey = `old:${key()}`;
  const newKey = `new:${key()}`;
  const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

  it('seals with the first key so that the stored value is not the secret, and opens it again', () => {
    const keyring = parseTotpKeyring(`${newKey},${oldKey}`);
    const sealed = sealTotpSecret(SECRET, 'clerk:1:2', keyring);
    expect(sealed).not.toContain(SECRET);
    expect(sealed.startsWith('v1.new.')).toBe(true);
    expect(isSealedTotpSecret(sealed)).toBe(true);
    expect(isSealedTotpSecret(SECRET)).toBe(false);
    expect(openTotpSecret(sealed, 'clerk:1:2', keyring)).toBe(SECRET);
    expect(sealTotpSecret(SECRET, 'clerk:1:2', keyring)).not.toBe(sealed);
  });

  it('opens a value sealed with an older key after rotation, and tells that it should be sealed again', () => {
    const sealedOld = sealTotpSecret(SECRET, 'clerk:1:2', parseTotpKeyring(oldKey));
    const rotated = parseTotpKeyring(`${newKey},${oldKey}`);
    expect(openTotpSecret(sealedOld, 'clerk:1:2', rotated)).toBe(SECRET);
    expect(sealedWithCurrentKey(sealedOld, rotated)).toBe(false);
    expect(() => openTotpSecret(sealedOld, 'clerk:1:2', parseTotpKeyring(newKey))).toThrow('no longer holds');
  });

  it('refuses an altered value and a value moved to another clerk', () => {
    const keyring = parseTotpKeyring(newKey);
    const sealed = sealTotpSecret(SECRET, 'clerk:1:2', keyring);
    expect(() => openTotpSecret(sealed, 'clerk:1:3', keyring)).toThrow('does not open');
    const parts = sealed.split('.');
    parts[4] = Buffer.from('JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ').toString('base64url');
    expect(() => openTotpSecret(parts.join('.'), 'clerk:1:2', keyring)).toThrow('does not open');
    expect(() => openTotpSecret(SECRET, 'clerk:1:2', keyring)).toThrow('Not a sealed TOTP secret');
  });
});
