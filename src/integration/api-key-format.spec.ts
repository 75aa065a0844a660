import { bearerKey, newApiKey, parseApiKey } from './api-key-format';

describe('integration API keys', () => {
  it('are made of a public prefix and a secret, and only their hash is kept', () => {
    const created = newApiKey();
    expect(created.key).toMatch(/^ik_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(created.key).toContain(created.prefix);
    expect(created.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(created.hash).not.toContain(created.key.slice(16));
    expect(parseApiKey(created.key)).toEqual({ prefix: created.prefix, hash: created.hash });
  });

  it('differ every time', () => {
    const a = newApiKey();
    const b = newApiKey();
    expect(a.key).not.toBe(b.key);
    expect(a.prefix).not.toBe(b.prefix);
  });

  it('refuse anything without the shape of a key before any look-up', () => {
    expect(parseApiKey('')).toBeNull();
    expect(parseApiKey('a-session-token-of-43-characters-xxxxxxxxxxx')).toBeNull();
    expect(parseApiKey(`ik_ABCDEF012345_${'a'.repeat(43)}`)).toBeNull();
    expect(parseApiKey(`ik_abcdef012345_${'a'.repeat(42)}`)).toBeNull();
  });

  it('read the bearer header', () => {
    expect(bearerKey('Bearer ik_x')).toBe('ik_x');
    expect(bearerKey('bearer  ik_x')).toBe('ik_x');
    expect(bearerKey('Basic abc')).toBeNull();
    expect(bearerKey(undefined)).toBeNull();
  });
});
