import IORedis, { RedisOptions } from 'ioredis';

/**
 * The one way the portal opens Redis connections. BullMQ workers need
 * `maxRetriesPerRequest: null` so a Redis restart pauses them instead of
 * failing their blocking commands.
 */
export function createRedisConnection(url: string, options: RedisOptions = {}): IORedis {
  return new IORedis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
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
