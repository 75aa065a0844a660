import { isIP } from 'node:net';
import { z } from 'zod';

const ROLES = ['api', 'worker', 'all'] as const;
export type Role = (typeof ROLES)[number];

const urlWithProtocol = (protocols: string[]) =>
  z
    .string({ required_error: 'is required' })
    .url('must be a URL')
    .refine((value) => protocols.some((p) => value.startsWith(`${p}://`)), {
      message: `must start with ${protocols.map((p) => `${p}://`).join(' or ')}`,
    });

/** A company's SimplePay merchant account: `api` is `sandbox`, `live`, or the URL of a SimplePay-compatible server (the local sandbox). */
const simplePayAccount = z.object({
  merchant: z.string().min(1).max(60),
  secretKey: z.string().min(8, 'must be at least 8 characters'),
  api: z.union([z.enum(['sandbox', 'live']), urlWithProtocol(['http', 'https'])]),
});
export type SimplePayAccountConfig = z.infer<typeof simplePayAccount>;

/** JSON in an environment variable: `{"<company code>": {...}}`. */
const simplePayAccounts = z
  .string()
  .default('{}')
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be JSON: {"<company code>": {"merchant", "secretKey", "api"}}' });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().regex(/^[a-z0-9-]{2,40}$/, 'keys must be company codes'), simplePayAccount));

const positiveInt = (fallback: number) => z.coerce.number().int('must be a whole number').positive('must be positive').default(fallback);

/** proxy-addr's names for address ranges (Fastify's trustProxy), allowed in TRUSTED_PROXIES beside addresses and CIDR subnets. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address, bits, ...rest] = entry.split('/');
  if (rest.length > 0 || isIP(address) === 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(address) === 4 ? 32 : 128));
}

/**
 * Which peers may tell the client's address in X-Forwarded-For: none (empty, the default:
 * the peer's own address counts), a hop count (`1`: the one load balancer in front), or
 * a comma-separated list of addresses, CIDR subnets and `loopback`/`linklocal`/`uniquelocal`.
 * The result is Fastify's `trustProxy` option.
 */
const trustedProxies = z
  .string()
  .default('')
  .transform((value, context): false | number | string[] => {
    const trimmed = value.trim();
    if (trimmed === '') return false;
    if (/^\d+$/.test(trimmed)) return Number(trimmed);
    const entries = trimmed.split(',').map((entry) => entry.trim());
    const bad = entries.filter((entry) => !isProxyAddress(entry));
    if (bad.length > 0) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        message: `must be empty, a hop count, or addresses/subnets separated by commas (not ${bad.join(', ')})`,
      });
      return z.NEVER;
    }
    return entries;
  });

/** `id:base64-key`: a key id (kept beside every ciphertext) and a 256-bit AES key. */
const TOTP_KEY_ENTRY = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/]{43}=)$/;

/** The development and test key of .env.example; production must set its own (refused otherwise). */
export const DEMO_TOTP_ENCRYPTION_KEYS = 'demo:6Fdzq8miw8Iq1bKlZjVXHn6AGq/FF1XIrWIUqWuHiK8=';

/**
 * Keys that encrypt clerks' TOTP secrets at rest: `id:base64key`, comma-separated; the
 * first encrypts, all decrypt. To rotate, put a new key first and keep the old one after
 * it: each clerk's next login re-encrypts their secret with the new key; drop the old key
 * once no `clerks.totp_secret` starts with its id.
 */
const totpEncryptionKeys = z
  .string()
  .default(DEMO_TOTP_ENCRYPTION_KEYS)
  .refine((value) => value.split(',').every((entry) => TOTP_KEY_ENTRY.test(entry.trim())), {
    message: 'must be id:key pairs separated by commas, each key 32 bytes in base64 (openssl rand -base64 32)',
  });

/** Only for development and tests: production refuses to start with it. */
const DEVELOPMENT_LINK_SECRET = 'development-only-notification-link-secret';

/**
 * Every setting the portal reads from the environment. Defaults are safe for a
 * developer machine; production must set the secrets explicitly (see .env.example).
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  ROLE: z.enum(ROLES).default('all'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  PUBLIC_URL: urlWithProtocol(['http', 'https']).default('http://localhost:3000'),
  DATABASE_URL: urlWithProtocol(['postgres', 'postgresql']),
  DATABASE_POOL_SIZE: positiveInt(10),
  REDIS_URL: urlWithProtocol(['redis', 'rediss']),
  QUEUE_PREFIX: z
    .string()
    .regex(/^\{[A-Za-z0-9:_-]+\}$/, 'must be a Redis hash tag such as {portal}, so Redis Cluster keeps a queue on one slot')
    .default('{portal}'),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]+:$/, 'must be letters, digits, - or _ ending in a colon, such as portal:')
    .default('portal:'),
  SESSION_IDLE_MINUTES: positiveInt(30),
  SESSION_ABSOLUTE_HOURS: positiveInt(12),
  SMTP_URL: urlWithProtocol(['smtp', 'smtps']).default('smtp://127.0.0.1:1025'),
  /** SMTP connections each worker process keeps open and sends over (nodemailer pool). */
  SMTP_POOL_SIZE: positiveInt(10),
  /** E-mails queued together (a reminder chunk) share one send job of at most this many. */
  EMAIL_BATCH_SIZE: positiveInt(500),
  /**
   * E-mails a send job claims, hands to the pool at once and records as sent in one
   * transaction. A crashed worker can send again only what it had in a wave, so this
   * bounds duplicates (at most WORKER_CONCURRENCY × this per crashed process).
   */
  EMAIL_WAVE_SIZE: positiveInt(25),
  MAIL_FROM: z.string().min(3).default('Ügyfélportál <noreply@ugyfelportal.local>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OUTBOX_POLL_MS: positiveInt(500),
  OUTBOX_BATCH_SIZE: positiveInt(1000),
  OUTBOX_RESEND_AFTER_MS: positiveInt(60_000),
  JOB_ATTEMPTS: positiveInt(10),
  JOB_BACKOFF_MS: positiveInt(1_000),
  REDIS_FAIL_FAST_MS: positiveInt(500),
  STALLED_AFTER_MINUTES: positiveInt(10),
  WORKER_CONCURRENCY: positiveInt(8),
  SHUTDOWN_GRACE_MS: positiveInt(10_000),
  DEFAULT_LANGUAGE: z.enum(['hu', 'en']).default('hu'),
  /** Per company: the SimplePay merchant id, secret key (never logged) and API (sandbox, live or the local sandbox's URL). */
  SIMPLEPAY_ACCOUNTS: simplePayAccounts,
  /** How long the bank's card page accepts a payment (SimplePay `timeout`); afterwards the reconciler expires it. */
  PAYMENT_TIMEOUT_MINUTES: positiveInt(30),
  /** How often the reconciler asks the bank about payments left in "started". */
  PAYMENT_RECONCILE_SECONDS: positiveInt(60),
  TRUSTED_PROXIES: trustedProxies,
  /**
   * The code of the company that runs the installation: only its admins see the queue
   * dashboard, which shows every company's jobs. Empty: nobody sees it.
   */
  QUEUE_DASHBOARD_COMPANY: z.string().trim().default(''),
  TOTP_ENCRYPTION_KEYS: totpEncryptionKeys,
  WRITE_LIMIT_PER_MINUTE: positiveInt(60),
  /** Per client address: writes through an e-mailed link that needs no login (unsubscribe page, e-mail change, password reset). */
  PUBLIC_WRITES_PER_MINUTE: positiveInt(30),
  /** Per client address: the bank's payment notifications and mail providers' one-click unsubscribes, far above their rate. */
  SERVER_CALLS_PER_MINUTE: positiveInt(3000),
  /** When the reminder schedulers fire (cron, Budapest time); every kind at the same time. */
  REMINDER_CRON: z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, 'must be a five-field cron pattern such as "0 7 * * *"')
    .default('0 7 * * *'),
  /** Reminders claimed and queued per transaction. */
  REMINDER_CHUNK_SIZE: positiveInt(5000),
  /** Signs the e-mails' unsubscribe links; changing it invalidates the links already sent. */
  NOTIFICATION_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEVELOPMENT_LINK_SECRET),
  /** Tries per webhook delivery, with exponential backoff from WEBHOOK_BACKOFF_MS; then it waits for an admin's retry. */
  WEBHOOK_ATTEMPTS: positiveInt(12),
  WEBHOOK_BACKOFF_MS: positiveInt(10_000),
  /** How long a webhook receiver may take to answer one delivery. */
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  /** How often endpoints behind their company's feed are queued for delivery (catches a trigger lost to a Redis outage). */
  WEBHOOK_SWEEP_SECONDS: positiveInt(60),
});

/** Rules across settings: production is served over https, with keys of its own. */
function checkProduction(
  config: { NODE_ENV: string; PUBLIC_URL?: string; TOTP_ENCRYPTION_KEYS: string; NOTIFICATION_LINK_SECRET?: string },
  context: z.RefinementCtx,
): void {
  if (config.NODE_ENV !== 'production') return;
  if (config.NOTIFICATION_LINK_SECRET === DEVELOPMENT_LINK_SECRET) {
    context.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['NOTIFICATION_LINK_SECRET'],
      message: 'must be set in production (see .env.example)',
    });
  }
  if (config.PUBLIC_URL !== undefined && !config.PUBLIC_URL.startsWith('https://')) {
    context.addIssue({ code: z.ZodIssueCode.custom, path: ['PUBLIC_URL'], message: 'must start with https:// in production' });
  }
  if (config.TOTP_ENCRYPTION_KEYS.includes(DEMO_TOTP_ENCRYPTION_KEYS.split(':')[1])) {
    context.addIssue({
      code: z.ZodIssueCode.custom,
      path: ['TOTP_ENCRYPTION_KEYS'],
      message: 'must not be the demo key in production (openssl rand -base64 32)',
    });
  }
}

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad or missing setting becomes one line that names it. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.superRefine(checkProduction).safeParse(cleaned);
  if (result.success) return result.data;
  throw configError(result.error);
}

function configError(error: z.ZodError): ConfigError {
  const problems = error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  return new ConfigError(`Invalid configuration: ${problems.join('; ')} (see .env.example)`);
}

/** The portal is reached over https: cookies are Secure, browsers get HSTS. */
export function servesHttps(config: Pick<AppConfig, 'PUBLIC_URL'>): boolean {
  return config.PUBLIC_URL.startsWith('https://');
}

let loaded: AppConfig | undefined;

function readDotEnv(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('dotenv').config({ quiet: true });
}

/** Reads `.env` (without overriding real environment variables) once, then validates. */
export function loadConfig(): AppConfig {
  if (!loaded) {
    readDotEnv();
    loaded = parseConfig(process.env);
  }
  return loaded;
}

/**
 * TOTP_ENCRYPTION_KEYS alone, validated as the portal validates it (`.env` read the same
 * way): for the migration that encrypts stored secrets, which runs without the rest.
 */
export function loadTotpEncryptionKeys(): string {
  readDotEnv();
  const cleaned = Object.fromEntries(Object.entries(process.env).filter(([, value]) => value !== ''));
  const result = configSchema.pick({ NODE_ENV: true, TOTP_ENCRYPTION_KEYS: true }).superRefine(checkProduction).safeParse(cleaned);
  if (result.success) return result.data.TOTP_ENCRYPTION_KEYS;
  throw configError(result.error);
}
