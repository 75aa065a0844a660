/**
 * Set-up helper for scripts/setup.sh: checks that PostgreSQL and Redis answer at
 * the configured URLs and creates the portal's database. Usage:
 *   ts-node scripts/services.ts check            exit 0 when both answer; prints the ones that don't
 *   ts-node scripts/services.ts create-database  creates the database of DATABASE_URL if missing
 *   ts-node scripts/services.ts redis-policy     sets maxmemory-policy noeviction, which BullMQ needs
 */
import IORedis from 'ioredis';
import { Client } from 'pg';
import { loadConfig } from '../config/configuration';

async function postgresAnswers(url: string): Promise<boolean> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function withRedis<T>(url: string, work: (redis: IORedis) => Promise<T>): Promise<T> {
  const redis = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3_000, retryStrategy: () => null });
  try {
    await redis.connect();
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

async function main(command: string | undefined): Promise<number> {
  const config = loadConfig();
  switch (command) {
    case 'check': {
      const down: string[] = [];
      if (!(await postgresAnswers(config.DATABASE_URL))) down.push('postgres');
      if (!(await withRedis(config.REDIS_URL, async (redis) => (await redis.ping()) === 'PONG').catch(() => false))) down.push('redis');
      process.stdout.write(down.join(' '));
      return down.length === 0 ? 0 : 1;
    }
    case 'create-database': {
      const target = new URL(config.DATABASE_URL);
      const name = decodeURIComponent(target.pathname.slice(1));
      const admin = new URL(config.DATABASE_URL);
      admin.pathname = '/postgres';
      const client = new Client({ connectionString: admin.toString() });
      await client.connect();
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
        process.stdout.write(`created database ${name}\n`);
      } else {
        process.stdout.write(`database ${name} exists\n`);
      }
      await client.end();
      return 0;
    }
    case 'redis-policy': {
      const policy = await withRedis(config.REDIS_URL, async (redis) => {
        await redis.config('SET', 'maxmemory-policy', 'noeviction');
        return ((await redis.config('GET', 'maxmemory-policy')) as string[])[1];
      });
      process.stdout.write(`redis maxmemory-policy ${policy}\n`);
      return policy === 'noeviction' ? 0 : 1;
    }
    default:
      process.stderr.write('usage: services.ts check | create-database | redis-policy\n');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
