import { ConfigError, parseConfig } from './configuration';

const minimal = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/ugyfelportal',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe('parseConfig', () => {
  it('fills safe defaults around the two required URLs', () => {
    const config = parseConfig(minimal);
    expect(config).toMatchObject({ ROLE: 'all', PORT: 3000, QUEUE_PREFIX: '{portal}', DEFAULT_LANGUAGE: 'hu', NODE_ENV: 'development' });
  });

  it('coerces numbers from the environment', () => {
    expect(parseConfig({ ...minimal, PORT: '8080', OUTBOX_POLL_MS: '250' })).toMatchObject({ PORT: 8080, OUTBOX_POLL_MS: 250 });
  });

  it('names a missing setting in one line', () => {
    expect(() => parseConfig({ REDIS_URL: minimal.REDIS_URL })).toThrow(
      new ConfigError('Invalid configuration: DATABASE_URL is required (see .env.example)'),
    );
  });

  it('refuses the development link secret in production, and a short one anywhere', () => {
    const production = {
      ...minimal,
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://portal.example.hu',
      TOTP_ENCRYPTION_KEYS: `live:${'A'.repeat(42)}8=`,
    };
    expect(() => parseConfig(production)).toThrow('NOTIFICATION_LINK_SECRET must be set in production');
    const secret = 'x'.repeat(32);
    expect(parseConfig({ ...production, NOTIFICATION_LINK_SECRET: secret }).NOTIFICATION_LINK_SECRET).toBe(secret);
    expect(() => parseConfig({ ...minimal, NOTIFICATION_LINK_SECRET: 'short' })).toThrow('NOTIFICATION_LINK_SECRET must be at least 32');
  });

  it('treats an empty value as missing', () => {
    expect(() => parseConfig({ ...minimal, DATABASE_URL: '' })).toThrow('DATABASE_URL is required');
  });

  it.each([
    ['DATABASE_URL', 'mysql://localhost/db', 'must start with postgres://'],
    ['REDIS_URL', 'not a url', 'must be a URL'],
    ['PORT', '70000', 'PORT'],
    ['PORT', 'eighty', 'PORT'],
    ['ROLE', 'scheduler', 'ROLE'],
    ['QUEUE_PREFIX', 'portal', 'must be a Redis hash tag'],
    ['SMTP_URL', 'http://mail', 'must start with smtp://'],
    ['OUTBOX_POLL_MS', '-5', 'must be positive'],
  ])('refuses a malformed %s', (key, value, message) => {
    let error: unknown;
    try {
      parseConfig({ ...minimal, [key]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(key);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });
  describe('SIMPLEPAY_ACCOUNTS', () => {
    const account = { merchant: 'MINTAHUF', secretKey: 'helyi-sandbox-demo-kulcs', api: 'http://127.0.0.1:3090/payment' };

    it('reads the accounts per company code, none by default', () => {
      expect(parseConfig(minimal).SIMPLEPAY_ACCOUNTS).toEqual({});
      expect(
        parseConfig({ ...minimal, SIMPLEPAY_ACCOUNTS: JSON.stringify({ minta: account, fotav: { ...account, api: 'live' } }) })
          .SIMPLEPAY_ACCOUNTS,
      ).toEqual({
        minta: account,
        fotav: { ...account, api: 'live' },
      });
    });

    it.each([
      ['not JSON', 'must be JSON'],
      [JSON.stringify({ minta: { ...account, api: 'ftp://bank' } }), 'SIMPLEPAY_ACCOUNTS.minta.api'],
      [JSON.stringify({ minta: { ...account, secretKey: 'short' } }), 'SIMPLEPAY_ACCOUNTS.minta.secretKey'],
      [JSON.stringify({ 'Not A Code': account }), 'company codes'],
    ])('refuses %s, naming the setting and never echoing a key', (value, message) => {
      let error: unknown;
      try {
        parseConfig({ ...minimal, SIMPLEPAY_ACCOUNTS: value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain(message);
      expect((error as Error).message).not.toContain(account.secretKey);
    });
  });

  it('refuses to start production with an http PUBLIC_URL or the demo TOTP key', () => {
    const production = {
      ...minimal,
      NODE_ENV: 'production',
      TOTP_ENCRYPTION_KEYS: `live:${'A'.repeat(42)}8=`,
      NOTIFICATION_LINK_SECRET: 'x'.repeat(32),
    };
    expect(() => parseConfig({ ...production, PUBLIC_URL: 'http://portal.example.hu' })).toThrow(
      'PUBLIC_URL must start with https:// in production',
    );
    expect(() => parseConfig({ ...production, PUBLIC_URL: 'https://portal.example.hu', TOTP_ENCRYPTION_KEYS: undefined })).toThrow(
      'TOTP_ENCRYPTION_KEYS must not be the demo key in production',
    );
    expect(parseConfig({ ...production, PUBLIC_URL: 'https://portal.example.hu' }).PUBLIC_URL).toBe('https://portal.example.hu');
    expect(parseConfig({ ...minimal, PUBLIC_URL: 'http://localhost:3000' }).PUBLIC_URL).toBe('http://localhost:3000');
  });

  it('reads TRUSTED_PROXIES as none, a hop count, or a list of addresses and subnets', () => {
    expect(parseConfig(minimal).TRUSTED_PROXIES).toBe(false);
    expect(parseConfig({ ...minimal, TRUSTED_PROXIES: '1' }).TRUSTED_PROXIES).toBe(1);
    expect(parseConfig({ ...minimal, TRUSTED_PROXIES: '10.0.0.5, 10.1.0.0/16,loopback,fd00::/8' }).TRUSTED_PROXIES).toEqual([
      '10.0.0.5',
      '10.1.0.0/16',
      'loopback',
      'fd00::/8',
    ]);
    expect(() => parseConfig({ ...minimal, TRUSTED_PROXIES: '10.0.0.0/33' })).toThrow('TRUSTED_PROXIES must be empty, a hop count');
    expect(() => parseConfig({ ...minimal, TRUSTED_PROXIES: 'everyone' })).toThrow('(not everyone)');
  });

  it('checks the shape of TOTP_ENCRYPTION_KEYS', () => {
    expect(() => parseConfig({ ...minimal, TOTP_ENCRYPTION_KEYS: 'k1:short' })).toThrow('TOTP_ENCRYPTION_KEYS must be id:key pairs');
  });
});
