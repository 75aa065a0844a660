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
  MAIL_FROM: z.string().min(3).default('Ügyfélportál <noreply@ugyfelportal.local>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OUTBOX_POLL_MS: positiveInt(500),
  OUTBOX_BATCH_SIZE: positiveInt(200),
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
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad or missing setting becomes one line that names it. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')} (see .env.example)`);
}

let loaded: AppConfig | undefined;

/** Reads `.env` (without overriding real environment variables) once, then validates. */
export function loadConfig(): AppConfig {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('dotenv').config({ quiet: true });
    loaded = parseConfig(process.env);
  }
  return loaded;
}
