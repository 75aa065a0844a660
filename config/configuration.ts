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

const positiveInt = (fallback: number) => z.coerce.number().int('must be a whole number').positive('must be positive').default(fallback);

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
  MAIL_FROM: z.string().min(3).default('Ügyfélportál <noreply@ugyfelportal.local>'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OUTBOX_POLL_MS: positiveInt(500),
  OUTBOX_BATCH_SIZE: positiveInt(200),
  WORKER_CONCURRENCY: positiveInt(8),
  SHUTDOWN_GRACE_MS: positiveInt(10_000),
  DEFAULT_LANGUAGE: z.enum(['hu', 'en']).default('hu'),
  /** When the reminder schedulers fire (cron, Budapest time); every kind at the same time. */
  REMINDER_CRON: z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, 'must be a five-field cron pattern such as "0 7 * * *"')
    .default('0 7 * * *'),
  /** Reminders claimed and queued per transaction. */
  REMINDER_CHUNK_SIZE: positiveInt(1000),
  /** Signs the e-mails' unsubscribe links; changing it invalidates the links already sent. */
  NOTIFICATION_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEVELOPMENT_LINK_SECRET),
});

export type AppConfig = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad or missing setting becomes one line that names it. */
export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(cleaned);
  if (result.success && result.data.NODE_ENV === 'production' && result.data.NOTIFICATION_LINK_SECRET === DEVELOPMENT_LINK_SECRET) {
    throw new ConfigError('Invalid configuration: NOTIFICATION_LINK_SECRET must be set in production (see .env.example)');
  }
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
