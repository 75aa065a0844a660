/**
 * The integration feed's items/s, each beside a plain counterpart running the same
 * statements, on a scratch database of its own (created, migrated, loaded, dropped):
 *
 * - write: N export jobs (account deletions of N customers) run as the worker runs them
 *   (runOutboxJob: claim the outbox row, describe, appendFeedItem), WORKER_CONCURRENCY at
 *   once; the plain counterpart runs the same claim, describe and INSERT into a copy of
 *   the table without `seq` and its indexes (what numbering the feed costs the writers).
 * - sequence: sequenceFeed numbers the N committed items (once; readers do it on the way).
 * - read: one consumer drains the N items through the portal's API (GET
 *   /api/v1/integration/feed?limit=1000, then POST …/ack with nextCursor, until empty),
 *   the portal (createHttpApp, ROLE=api, production mode) and a plain node:http + pg +
 *   ioredis server doing the same key look-up, last-use update, audit row, sequencing probe, feed query,
 *   acknowledgement and write-limit count, both in this process (the consumer is
 *   sequential, so they never run at once), each after one unmeasured drain.
 *
 *   npx ts-node --transpile-only bench/feed.ts [N=20000] [--keep]
 *
 * TEST_ADMIN_DATABASE_URL and REDIS_URL as for the other benchmarks; Redis keys go under
 * prefixes of their own and are deleted at the end.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { parseConfig } from '../config/configuration';
import { runOutboxJob } from '../libs/outbox/outbox';
import { createHttpApp } from '../src/bootstrap';
import { describeAccountDeletion } from '../src/identity/account-deletion-export';
import { newApiKey, parseApiKey } from '../src/integration/api-key-format';
import { appendFeedItem, sequenceFeed } from '../src/integration/feed-writer';
import { benchArgs, benchEnv, benchPrefixes, deleteBenchKeys, pool, withScratchDatabase } from './bench-kit';

const WORKER_CONCURRENCY = 8;
const PAGE = 1000;
/** The consumer is sequential: a few connections each, so a busy shared Postgres has enough. */
const READ_POOL_SIZE = 4;

async function main(): Promise<void> {
  const { count, keep } = benchArgs(20_000);
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { redisPrefix, queuePrefix } = benchPrefixes('bench-feed');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  try {
    await withScratchDatabase('feed', { poolSize: WORKER_CONCURRENCY + 2, keep }, async (dataSource, databaseUrl) => {
      const { companyId, customerIds, key } = await load(dataSource, count);
      process.stdout.write(
        `load average ${loadavg()
          .map((n) => n.toFixed(2))
          .join(' ')}\n`,
      );
      await measureWrites(dataSource, companyId, customerIds);
      const started = performance.now();
      await sequenceFeed(dataSource, companyId);
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(`sequence: ${count} items numbered in ${seconds.toFixed(2)} s = ${Math.round(count / seconds)} items/s\n`);
      const config = parseConfig(benchEnv({ databaseUrl, redisUrl, redisPrefix, queuePrefix, poolSize: READ_POOL_SIZE }));
      const app = await createHttpApp(config, 'api');
      await app.listen(0, '127.0.0.1');
      const plain = await startPlainServer(databaseUrl, redis, redisPrefix);
      try {
        const portalUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
        // One unmeasured drain each first, so both are measured warm.
        await drain(portalUrl, key, 'warm-up-portal', count);
        await drain(plain.url, key, 'warm-up-plain', count);
        for (const round of [1, 2]) {
          const portal = await drain(portalUrl, key, `portal-${round}`, count);
          const bare = await drain(plain.url, key, `plain-${round}`, count);
          process.stdout.write(
            `read round ${round}: portal ${Math.round(portal)} items/s, plain ${Math.round(bare)} items/s, share ${Math.round((100 * portal) / bare)} %\n`,
          );
        }
      } finally {
        await plain.close();
        await app.close();
      }
      process.stdout.write(
        `load average ${loadavg()
          .map((n) => n.toFixed(2))
          .join(' ')}\n`,
      );
    });
  } finally {
    await deleteBenchKeys(redis, [redisPrefix, queuePrefix]);
    redis.disconnect();
  }
}

/** A company with `count` customers and an integration key (its admin is the key's creator). */
async function load(dataSource: DataSource, count: number): Promise<{ companyId: number; customerIds: number[]; key: string }> {
  const [company] = (await dataSource.query(`INSERT INTO companies (code, name) VALUES ('bench', 'Bench Kft.') RETURNING id`)) as Array<{
    id: number;
  }>;
  const companyId = company.id;
  const customers = (await dataSource.query(
    `INSERT INTO customers (company_id, code, name, postcode, town, address)
     SELECT $1, 'B' || g, 'Bench ' || g, '6600', 'Szentes', 'Fő utca ' || g FROM generate_series(1, $2) AS g RETURNING id`,
    [companyId, count],
  )) as Array<{ id: number }>;
  const [clerk] = (await dataSource.query(
    `INSERT INTO clerks (company_id, email, name, role, password_hash) VALUES ($1, 'admin@bench.local', 'Admin', 'admin', 'not-a-hash') RETURNING id`,
    [companyId],
  )) as Array<{ id: number }>;
  const fresh = newApiKey();
  await dataSource.query(
    `INSERT INTO integration_api_keys (company_id, name, key_prefix, secret_hash, created_by_clerk_id) VALUES ($1, 'bench', $2, $3, $4)`,
    [companyId, fresh.prefix, fresh.hash, clerk.id],
  );
  // The plain counterpart's table: the feed without its per-company `seq`.
  await dataSource.query(`CREATE TABLE plain_feed (LIKE integration_feed INCLUDING DEFAULTS)`);
  await dataSource.query(
    `ALTER TABLE plain_feed DROP COLUMN id, DROP COLUMN seq, ADD COLUMN id bigserial PRIMARY KEY, ADD UNIQUE (company_id, source_key)`,
  );
  await dataSource.query('ANALYZE');
  return { companyId, customerIds: customers.map((row) => Number(row.id)), key: fresh.key };
}

/** Outbox rows of the deletions, as AccountDeletionService writes them. */
async function outboxRows(dataSource: DataSource, companyId: number, customerIds: number[], deletedAt: string): Promise<number[]> {
  const rows = (await dataSource.query(
    `INSERT INTO outbox (company_id, queue, job_name, payload)
     SELECT $1, 'integration', 'export-account-deletion', jsonb_build_object('companyId', $1::int, 'customerId', c, 'deletedAt', $3::text)
       FROM unnest($2::bigint[]) AS c RETURNING id`,
    [companyId, customerIds, deletedAt],
  )) as Array<{ id: string }>;
  return rows.map((row) => Number(row.id));
}

async function measureWrites(dataSource: DataSource, companyId: number, customerIds: number[]): Promise<void> {
  const deletedAt = new Date();
  const jobsOf = async () =>
    (await outboxRows(dataSource, companyId, customerIds, deletedAt.toISOString())).map((outboxId, i) => ({
      data: { outboxId, customerId: customerIds[i] },
    }));
  const portalJobs = await jobsOf();
  let started = performance.now();
  await pool(portalJobs, WORKER_CONCURRENCY, async (job) => {
    await runOutboxJob(dataSource, job, async (manager) => {
      const deletion = await describeAccountDeletion(manager, { companyId, customerId: job.data.customerId }, deletedAt);
      if (!deletion) throw new Error('customer missing');
      await appendFeedItem(manager, {
        companyId,
        type: 'account.deleted',
        sourceKey: `account-deletion:${job.data.customerId}:${deletedAt.toISOString()}`,
        occurredAt: deletedAt,
        payload: deletion.payload,
      });
    });
  });
  const portal = customerIds.length / ((performance.now() - started) / 1000);
  const plainJobs = await jobsOf();
  started = performance.now();
  await pool(plainJobs, WORKER_CONCURRENCY, async (job) => {
    await runOutboxJob(dataSource, job, async (manager) => {
      const deletion = await describeAccountDeletion(manager, { companyId, customerId: job.data.customerId }, deletedAt);
      if (!deletion) throw new Error('customer missing');
      await manager.query(
        `INSERT INTO plain_feed (company_id, type, source_key, occurred_at, payload) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (company_id, source_key) DO NOTHING`,
        [companyId, 'account.deleted', `account-deletion:${job.data.customerId}:${deletedAt.toISOString()}`, deletedAt, deletion.payload],
      );
    });
  });
  const plain = customerIds.length / ((performance.now() - started) / 1000);
  process.stdout.write(
    `write (${customerIds.length} export jobs, ${WORKER_CONCURRENCY} at once): feed ${Math.round(portal)} items/s, ` +
      `plain ${Math.round(plain)} items/s, share ${Math.round((100 * portal) / plain)} %\n`,
  );
}

/** One consumer reads the whole feed page by page, acknowledging each; returns items/s. */
async function drain(baseUrl: string, key: string, consumer: string, expected: number): Promise<number> {
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  let items = 0;
  const started = performance.now();
  for (;;) {
    const response = await fetch(`${baseUrl}/api/v1/integration/feed?limit=${PAGE}&consumer=${consumer}`, { headers });
    if (!response.ok) throw new Error(`${baseUrl}: feed answered ${response.status}`);
    const page = (await response.json()) as { items: unknown[]; nextCursor: string };
    if (page.items.length === 0) break;
    items += page.items.length;
    const ack = await fetch(`${baseUrl}/api/v1/integration/feed/ack`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ cursor: page.nextCursor, consumer }),
    });
    if (!ack.ok) throw new Error(`${baseUrl}: ack answered ${ack.status}`);
  }
  if (items !== expected) throw new Error(`${baseUrl}: read ${items} items, expected ${expected}`);
  return items / ((performance.now() - started) / 1000);
}

/** The feed's two routes on node:http + pg + ioredis: the same statements as the portal's, nothing else. */
async function startPlainServer(databaseUrl: string, redis: Redis, redisPrefix: string): Promise<{ url: string; close(): Promise<void> }> {
  const db = new Pool({ connectionString: databaseUrl, max: READ_POOL_SIZE });
  // The scratch database is dropped WITH (FORCE) at the end: a client still closing then must not crash the run.
  db.on('error', () => undefined);
  const authenticate = async (req: IncomingMessage): Promise<{ companyId: number; keyId: number } | null> => {
    const parsed = parseApiKey((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!parsed) return null;
    const { rows } = await db.query(`SELECT id, company_id, secret_hash, revoked_at FROM integration_api_keys WHERE key_prefix = $1`, [
      parsed.prefix,
    ]);
    const row = rows[0] as { id: string; company_id: number; secret_hash: string; revoked_at: Date | null } | undefined;
    if (!row || row.secret_hash !== parsed.hash || row.revoked_at) return null;
    await db.query(`UPDATE integration_api_keys SET last_used_at = now() WHERE company_id = $1 AND id = $2`, [row.company_id, row.id]);
    return { companyId: row.company_id, keyId: Number(row.id) };
  };
  const audit = (principal: { companyId: number; keyId: number }, operation: string, status: number) =>
    db.query(
      `INSERT INTO integration_audit_events (company_id, key_id, event, operation, status, ip) VALUES ($1, $2, 'call', $3, $4, $5)`,
      [principal.companyId, principal.keyId, operation, status, '127.0.0.1'],
    );
  const send = (res: ServerResponse, status: number, body: unknown) => {
    const json = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) }).end(json);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const principal = await authenticate(req);
    if (!principal) return send(res, 401, { statusCode: 401, message: 'No valid integration API key' });
    const url = new URL(req.url ?? '/', 'http://plain');
    if (req.method === 'GET' && url.pathname === '/api/v1/integration/feed') {
      const consumer = url.searchParams.get('consumer') ?? `key-${principal.keyId}`;
      const limit = Number(url.searchParams.get('limit') ?? 100);
      await db.query(`SELECT EXISTS (SELECT 1 FROM integration_feed WHERE company_id = $1 AND seq IS NULL) AS pending`, [
        principal.companyId,
      ]);
      const { rows: acked } = await db.query(
        `SELECT acknowledged_seq FROM integration_feed_consumers WHERE company_id = $1 AND name = $2`,
        [principal.companyId, consumer],
      );
      const from = acked[0] ? Number(acked[0].acknowledged_seq) : 0;
      const { rows } = await db.query(
        `SELECT seq, type, occurred_at, payload FROM integration_feed WHERE company_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [principal.companyId, from, limit + 1],
      );
      const items = rows.slice(0, limit).map((row) => ({
        cursor: String(row.seq),
        type: row.type,
        occurredAt: (row.occurred_at as Date).toISOString(),
        data: row.payload,
      }));
      const body = {
        consumer,
        acknowledgedCursor: String(from),
        items,
        nextCursor: items.length > 0 ? items[items.length - 1].cursor : String(from),
        hasMore: rows.length > limit,
      };
      await audit(principal, 'GET /api/v1/integration/feed', 200);
      return send(res, 200, body);
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/integration/feed/ack') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const { cursor, consumer } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { cursor: string; consumer: string };
      await redis
        .multi()
        .incr(`${redisPrefix}plain-write:${principal.keyId}`)
        .pexpire(`${redisPrefix}plain-write:${principal.keyId}`, 60_000)
        .exec();
      const client = await db.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SELECT COALESCE(MAX(seq), 0) AS seq FROM integration_feed WHERE company_id = $1`, [principal.companyId]);
        const { rows } = await client.query(
          `INSERT INTO integration_feed_consumers AS c (company_id, name, acknowledged_seq, acknowledged_at) VALUES ($1, $2, $3, now())
           ON CONFLICT (company_id, name) DO UPDATE
             SET acknowledged_seq = GREATEST(c.acknowledged_seq, excluded.acknowledged_seq), acknowledged_at = now()
           RETURNING acknowledged_seq`,
          [principal.companyId, consumer, Number(cursor)],
        );
        await client.query('COMMIT');
        await audit(principal, 'POST /api/v1/integration/feed/ack', 200);
        return send(res, 200, { consumer, acknowledgedCursor: String(rows[0].acknowledged_seq) });
      } finally {
        client.release();
      }
    }
    send(res, 404, { statusCode: 404, message: 'Not Found' });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => send(res, 500, { statusCode: 500, message: error.message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.end();
    },
  };
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
