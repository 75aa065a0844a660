/**
 * Meter reading submissions through the HTTP API, at 50 concurrent customers, on a
 * scratch database of its own (created, migrated, loaded, dropped at the end), and
 * the same submission path without HTTP (ReadingService.submit, as bench/readings.ts)
 * on as many other customers, so the framework's share is visible.
 *
 *   npx ts-node --transpile-only bench/readings-http.ts [N=10000] [--keep]
 *
 * N customers submit over HTTP and N others through the service. Each has a meter
 * with three years of monthly readings and the company an open window. The API
 * runs in this process (role `api`, no workers), on a free port, with bearer tokens
 * issued through SessionService; Redis keys go under a prefix of their own and are
 * deleted at the end. TEST_ADMIN_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) names a role that may create
 * databases; REDIS_URL (default redis://127.0.0.1:6379) the Redis server.
 */
import Redis from 'ioredis';
import { parseConfig } from '../config/configuration';
import { deleteKeysMatching } from '../libs/testing/redis-keys';
import { WorkflowEngine } from '../libs/workflow/workflow-engine';
import { createHttpApp } from '../src/bootstrap';
import { SessionService } from '../src/identity/session.service';
import { ReadingService } from '../src/metering/reading.service';
import { benchArgs, latencyReport, loadReadingCustomers, pool, withScratchDatabase } from './bench-kit';

const CONCURRENCY = 50;

async function main(): Promise<void> {
  const { count, keep } = benchArgs(10_000);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const stamp = Date.now().toString(36);
  const redisPrefix = `bench-http-${stamp}:`;
  const queuePrefix = `{bench-http-${stamp}}`;
  let app: Awaited<ReturnType<typeof createHttpApp>> | undefined;
  try {
    await withScratchDatabase('readings_http', { poolSize: CONCURRENCY + 4, keep }, async (dataSource, databaseUrl) => {
      const loadStarted = performance.now();
      const { companyId, targets } = await loadReadingCustomers(dataSource, count * 2);
      process.stdout.write(
        `loaded ${targets.length} customers with meters and 36 readings each in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s\n`,
      );
      const overHttp = targets.slice(0, count);
      const direct = targets.slice(count);

      const config = parseConfig({
        ...process.env,
        NODE_ENV: 'production',
        ROLE: 'api',
        DATABASE_URL: databaseUrl,
        DATABASE_POOL_SIZE: String(CONCURRENCY + 4),
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: redisPrefix,
        QUEUE_PREFIX: queuePrefix,
        LOG_LEVEL: 'warn',
      });
      app = await createHttpApp(config, 'api');
      await app.listen(0, '127.0.0.1');
      const { port } = app.getHttpServer().address() as { port: number };
      const url = `http://127.0.0.1:${port}`;
      const sessions = app.get(SessionService);
      const tokens: string[] = [];
      await pool(
        overHttp.map((t, i) => ({ t, i })),
        CONCURRENCY,
        async ({ t, i }) => {
          tokens[i] = await sessions.issueApiToken({
            kind: 'customer',
            companyId,
            customerId: t.customerId,
            name: t.name,
            code: t.code,
          });
        },
      );

      // Warm-up (not counted): JIT, connection pools, keep-alive sockets.
      await fetch(`${url}/api/v1/meters`, { headers: { authorization: `Bearer ${tokens[0]}` } }).then((r) => r.arrayBuffer());

      const httpLatencies: number[] = [];
      let failures = 0;
      const indexes = overHttp.map((_, i) => i);
      let started = performance.now();
      await pool(indexes, CONCURRENCY, async (i) => {
        const t0 = performance.now();
        const response = await fetch(`${url}/api/v1/readings`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[i]}`, 'content-type': 'application/json' },
          body: JSON.stringify({ meterId: overHttp[i].meterId, value: '365.5' }),
        });
        await response.arrayBuffer();
        httpLatencies.push(performance.now() - t0);
        if (response.status !== 201) failures += 1;
      });
      let seconds = (performance.now() - started) / 1000;
      process.stdout.write(
        latencyReport(
          `submissions over HTTP (POST /api/v1/readings, ${CONCURRENCY} concurrent customers)`,
          overHttp.length,
          seconds,
          httpLatencies,
        ),
      );
      if (failures > 0) process.stdout.write(`  ${failures} submissions were not 201\n`);

      // The app's pool is closed first: the two pools together could exceed max_connections.
      await app.close();
      app = undefined;
      const engine = new WorkflowEngine(dataSource);
      const readings = new ReadingService(dataSource, engine);
      readings.onModuleInit();
      const directLatencies: number[] = [];
      started = performance.now();
      await pool(direct, CONCURRENCY, async (target) => {
        const t0 = performance.now();
        const result = await readings.submit(target.customerId, companyId, { meterId: target.meterId, value: '365.5' });
        directLatencies.push(performance.now() - t0);
        if (!result.ok) throw new Error(result.error.message);
      });
      seconds = (performance.now() - started) / 1000;
      process.stdout.write(
        latencyReport(
          `submissions without HTTP (ReadingService.submit, ${CONCURRENCY} concurrent customers)`,
          direct.length,
          seconds,
          directLatencies,
        ),
      );
    });
  } finally {
    await app?.close();
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      for (const prefix of [redisPrefix, queuePrefix]) await deleteKeysMatching(redis, `${prefix}*`);
    } finally {
      redis.disconnect();
    }
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
