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
    expect(() => parseConfig({ ...minimal, NODE_ENV: 'production' })).toThrow(
      new ConfigError('Invalid configuration: NOTIFICATION_LINK_SECRET must be set in production (see .env.example)'),
    );
    const secret = 'x'.repeat(32);
    expect(parseConfig({ ...minimal, NODE_ENV: 'production', NOTIFICATION_LINK_SECRET: secret }).NOTIFICATION_LINK_SECRET).toBe(secret);
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
});
