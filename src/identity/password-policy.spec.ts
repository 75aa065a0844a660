import { checkPassword, commonPasswords, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy';

describe('checkPassword', () => {
  it('refuses passwords shorter than the minimum, counting characters rather than UTF-16 units', () => {
    expect(PASSWORD_MIN_LENGTH).toBe(8);
    expect(checkPassword('')).toBe('tooShort');
    expect(checkPassword('Xq7-kLm')).toBe('tooShort');
    // 7 emoji are 14 UTF-16 units but 7 characters.
    expect(checkPassword('😀😁😂🤣😃😄😅')).toBe('tooShort');
    expect(checkPassword('Xq7-kLm9')).toBeNull();
  });

  it('accepts at least 64 characters and refuses more than the maximum', () => {
    expect(PASSWORD_MAX_LENGTH).toBeGreaterThanOrEqual(64);
    expect(checkPassword('Ab3-'.repeat(16))).toBeNull();
    expect(checkPassword('x'.repeat(PASSWORD_MAX_LENGTH - 1) + 'Z')).toBeNull();
    expect(checkPassword('x'.repeat(PASSWORD_MAX_LENGTH) + 'Z')).toBe('tooLong');
    expect(checkPassword('ő'.repeat(PASSWORD_MAX_LENGTH))).toBeNull();
  });

  it('ships the 10,000 most common passwords and refuses them in any letter case', () => {
    expect(commonPasswords().size).toBe(10_000);
    for (const word of ['password', 'PASSWORD', 'Password', '12345678', 'qwertyuiop', 'QwErTyUiOp', 'iloveyou']) {
      expect(checkPassword(word)).toBe('common');
    }
  });

  it('accepts a long, uncommon password with accented letters', () => {
    expect(checkPassword('Szentes-Fűtés-2024')).toBeNull();
    expect(checkPassword('password-but-longer-and-unusual-7')).toBeNull();
  });
});
