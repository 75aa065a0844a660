import IORedis, { RedisOptions } from 'ioredis';

/**
 * The patient connection, for BullMQ: `maxRetriesPerRequest: null` so a Redis
 * restart pauses workers and producers (commands queue until Redis is back)
 * instead of failing their blocking commands.
 */
export function createRedisConnection(url: string, options: RedisOptions = {}): IORedis {
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

/**
 * The impatient connection, for work a person waits on (sessions, rate limits, the
 * readiness check): no offline queue, so a command while Redis is away fails at once,
 * and a command timeout for a Redis that accepts connections but does not answer.
 * It reconnects in the background like any ioredis client.
 */
export function createInteractiveRedisConnection(url: string, commandTimeoutMs: number): IORedis {
  return new IORedis(url, {
    enableOfflineQueue: false,
    enableReadyCheck: true,
    commandTimeout: commandTimeoutMs,
    connectTimeout: Math.max(commandTimeoutMs * 2, 1_000),
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 1_000),
  });
}

/**
 * Logs a connection's outage once (not every reconnection attempt) and counts as its
 * 'error' listener: ioredis prints every failure of a connection that has none.
 */
export function warnOncePerOutage(redis: IORedis, warn: (error: Error) => void): void {
  let warned = false;
  redis.on('error', (error: Error) => {
    if (!warned) warn(error);
    warned = true;
  });
  redis.on('ready', () => (warned = false));
}

/** Resolves when the connection is ready, or after `timeoutMs` (false) without failing. */
export function waitUntilReady(redis: IORedis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}

/** BullMQ loses jobs when Redis evicts keys; refuse to run on such a Redis. */
export async function assertNoEviction(redis: IORedis): Promise<void> {
  const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
  const policy = reply[1];
  if (policy !== 'noeviction') {
    throw new Error(
      `Redis maxmemory-policy is "${policy}", but BullMQ needs "noeviction": run \`redis-cli config set maxmemory-policy noeviction\` and set it in redis.conf`,
    );
  }
}
