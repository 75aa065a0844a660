import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, createTestClerk, TestCompany } from '../support/clerk-factories';
import { openTestDataSource } from '../support/database';
import { createTestAccount, createTestCustomer } from '../support/factories';
import { loginTestCustomer } from '../support/customer-session';
import { logInClerkOnPages } from '../support/clerk-pages';
import { RunningApp, startTestApp } from '../support/http-app';
import { createTestIntegrationKey, TestIntegrationKey } from '../support/integration-factories';
import { createMeter, createServicePoint, waitFor } from '../metering/fixtures';
import { currentTotpCode, generateTotpSecret } from '../../src/identity/totp';
import { FeedExportProcessor } from '../../src/integration/feed-export.processor';
import { appendFeedItem } from '../../src/integration/feed-writer';
import { verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from '../../src/integration/webhook-signature';

interface Received {
  rawBody: string;
  signature: string | undefined;
  webhookId: string | undefined;
}

/** A back office's webhook receiver: answers each POST with the next status of `plan` (then 200), keeping what came. */
async function startReceiver(): Promise<{ url: string; received: Received[]; plan: number[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const plan: number[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const status = plan.shift() ?? 200;
      if (status === 200) {
        received.push({
          rawBody: Buffer.concat(chunks).toString('utf8'),
          signature: req.headers[WEBHOOK_SIGNATURE_HEADER] as string | undefined,
          webhookId: req.headers['webhook-id'] as string | undefined,
        });
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/portal`,
    received,
    plan,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The integration feed end to end: export jobs write it once per source event; the back
 * office reads it with its key after a cursor and acknowledges per consumer, across a
 * restart; webhooks get each item signed, in order, retried until the receiver takes it.
 */
describe('integration feed', () => {
  // Logins (argon2), a restart and retries with backoff: generous on a machine shared with other work.
  jest.setTimeout(90_000);
  const WEBHOOK_ENV = { WEBHOOK_ATTEMPTS: '3', WEBHOOK_BACKOFF_MS: '200' };
  let dataSource: DataSource;
  let app: RunningApp;
  let a: TestCompany;
  let b: TestCompany;
  let keyA: TestIntegrationKey;
  let keyB: TestIntegrationKey;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    app = await startTestApp({ withWorker: true, env: WEBHOOK_ENV });
    a = await createClerkTestCompany(dataSource);
    b = await createClerkTestCompany(dataSource);
    keyA = await createTestIntegrationKey(dataSource, a);
    keyB = await createTestIntegrationKey(dataSource, b);
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
  });

  const feed = (key: TestIntegrationKey, query = '') =>
    request(app.url).get(`/api/v1/integration/feed${query}`).auth(key.key, { type: 'bearer' });
  const ack = (key: TestIntegrationKey, body: Record<string, string>) =>
    request(app.url).post('/api/v1/integration/feed/ack').auth(key.key, { type: 'bearer' }).send(body);

  /** An account deletion of a new customer of `company`, exported as the outbox job would (the customer code identifies it). */
  async function deletion(company: TestCompany, deletedAt = new Date()): Promise<string> {
    const customer = await createTestCustomer(dataSource, company.id);
    await app.app
      .get(FeedExportProcessor)
      .accountDeletion({ data: { companyId: company.id, customerId: customer.id, deletedAt: deletedAt.toISOString() } });
    return customer.code;
  }

  /** A logged-in admin of `company` on the pages (password and second factor). */
  async function adminAgent(company: TestCompany) {
    const secret = generateTotpSecret();
    const clerk = await createTestClerk(dataSource, company, 'admin', { totpSecret: secret });
    const { agent, csrf, html } = await logInClerkOnPages(app.url, company, clerk, secret);
    return { agent, csrf, home: html };
  }

  it('turns an applied reading into one feed item with the back office’s names, however often the export job runs', async () => {
    const customer = await createTestCustomer(dataSource, a.id);
    const servicePointId = await createServicePoint(dataSource, a.id, customer.id);
    const meterId = await createMeter(dataSource, a.id, servicePointId, 1);
    await dataSource.query(`UPDATE customers SET external_ref = $2 WHERE id = $1`, [customer.id, `ATHOS-${customer.code}`]);
    await dataSource.query(`UPDATE meters SET external_ref = $2 WHERE id = $1`, [meterId, `ATHOS-M-${meterId}`]);
    const [{ id: readingId }] = (await dataSource.query(
      `INSERT INTO readings (company_id, meter_id, read_on, value, kind) VALUES ($1, $2, '2014-11-30', 123.4, 'customer') RETURNING id::int`,
      [a.id, meterId],
    )) as Array<{ id: number }>;
    const processor = app.app.get(FeedExportProcessor);
    await processor.reading({ data: { readingId } });
    await processor.reading({ data: { readingId } });
    const rows = (await dataSource.query(`SELECT type, payload FROM integration_feed WHERE company_id = $1 AND source_key = $2`, [
      a.id,
      `reading:${readingId}`,
    ])) as Array<{ type: string; payload: Record<string, unknown> }>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      type: 'reading.applied',
      payload: {
        readingId,
        customerCode: customer.code,
        customerExternalRef: `ATHOS-${customer.code}`,
        meterId,
        meterExternalRef: `ATHOS-M-${meterId}`,
        servicePointExternalRef: null,
        readOn: '2014-11-30',
        value: 123.4,
        unit: 'm3',
        kind: 'customer',
      },
    });
    expect(rows[0].payload.meterSerialNumber).toEqual(expect.any(String));
  });

  it('feeds an account deletion through the outbox and the worker, as the customer deletes it', async () => {
    const customer = await createTestCustomer(dataSource, a.id);
    await createTestAccount(dataSource, a.id, customer.id, `torol-${customer.code}@teszt.local`, 'Torlendo-Fiok-2014');
    const session = await loginTestCustomer(app, dataSource, a.id, customer.id);
    await request(app.url)
      .delete('/api/v1/me')
      .auth(session.bearer, { type: 'bearer' })
      .send({ password: 'Torlendo-Fiok-2014' })
      .expect(204);
    const item = await waitFor(async () => {
      const [row] = (await dataSource.query(
        `SELECT type, payload FROM integration_feed WHERE company_id = $1 AND type = 'account.deleted' AND payload->>'customerCode' = $2`,
        [a.id, customer.code],
      )) as Array<{ type: string; payload: { customerId: number; deletedAt: string } }>;
      return row;
    }, 30_000);
    expect(item.payload).toMatchObject({ customerId: customer.id, deletedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
  });

  it('gives each company only its own items, and refuses a call without a valid key', async () => {
    const mine = await deletion(a);
    const theirs = await deletion(b);
    const pageA = await feed(keyA, '?consumer=own-company-check&limit=1000').expect(200);
    const codesA = pageA.body.items.map((item: { data: { customerCode?: string } }) => item.data.customerCode);
    expect(codesA).toContain(mine);
    expect(codesA).not.toContain(theirs);
    const pageB = await feed(keyB, '?consumer=own-company-check&limit=1000').expect(200);
    expect(pageB.body.items.map((item: { data: { customerCode?: string } }) => item.data.customerCode)).toEqual([theirs]);
    await request(app.url).get('/api/v1/integration/feed').expect(401);
    await request(app.url).get('/api/v1/integration/feed').auth('ik_nope', { type: 'bearer' }).expect(401);
    await feed(keyA, '?after=-1').expect(400);
  });

  it('gives an item again until its consumer acknowledges it, and never after, across a restart', async () => {
    const company = await createClerkTestCompany(dataSource);
    const key = await createTestIntegrationKey(dataSource, company);
    const codes = [await deletion(company), await deletion(company), await deletion(company)];
    const first = await feed(key).expect(200);
    expect(first.body).toMatchObject({ consumer: `key-${key.id}`, acknowledgedCursor: '0', hasMore: false });
    expect(first.body.items.map((item: { data: { customerCode: string } }) => item.data.customerCode)).toEqual(codes);
    const cursors: string[] = first.body.items.map((item: { cursor: string }) => item.cursor);
    // Not acknowledged: the same items come again.
    expect((await feed(key).expect(200)).body.items).toHaveLength(3);
    const page = await feed(key, '?limit=2').expect(200);
    expect(page.body).toMatchObject({ nextCursor: cursors[1], hasMore: true });
    expect((await ack(key, { cursor: page.body.nextCursor }).expect(200)).body).toEqual({
      consumer: `key-${key.id}`,
      acknowledgedCursor: cursors[1],
    });
    // An older cursor moves nothing back; one beyond the feed is refused.
    expect((await ack(key, { cursor: cursors[0] }).expect(200)).body.acknowledgedCursor).toBe(cursors[1]);
    expect((await ack(key, { cursor: String(Number(cursors[2]) + 1) }).expect(400)).body.code).toBe('cursor_ahead');

    await app.close();
    app = await startTestApp({ withWorker: true, env: WEBHOOK_ENV });

    const afterRestart = await feed(key).expect(200);
    expect(afterRestart.body.acknowledgedCursor).toBe(cursors[1]);
    expect(afterRestart.body.items.map((item: { cursor: string }) => item.cursor)).toEqual([cursors[2]]);
    // Asking from an earlier cursor does not bring acknowledged items back.
    expect((await feed(key, '?after=0').expect(200)).body.items.map((item: { cursor: string }) => item.cursor)).toEqual([cursors[2]]);
    await ack(key, { cursor: cursors[2] }).expect(200);
    expect((await feed(key).expect(200)).body.items).toEqual([]);
    // A named consumer keeps its own place.
    expect((await feed(key, '?consumer=athos-nightly').expect(200)).body.items).toHaveLength(3);
  });

  it('numbers an item that commits late after what a reader has already seen, so nothing is skipped', async () => {
    const company = await createClerkTestCompany(dataSource);
    const key = await createTestIntegrationKey(dataSource, company);
    const [early, late] = [await createTestCustomer(dataSource, company.id), await createTestCustomer(dataSource, company.id)];
    const item = (code: string) => ({
      companyId: company.id,
      type: 'account.deleted' as const,
      sourceKey: `order-test:${code}`,
      occurredAt: new Date(),
      payload: { customerCode: code },
    });
    const slow = dataSource.createQueryRunner();
    await slow.connect();
    await slow.startTransaction();
    try {
      // Inserted first (the lower id), committed last.
      expect(await appendFeedItem(slow.manager, item(late.code))).toBe(true);
      await dataSource.transaction((manager) => appendFeedItem(manager, item(early.code)));
      const seen = await feed(key).expect(200);
      expect(seen.body.items.map((i: { data: { customerCode: string } }) => i.data.customerCode)).toEqual([early.code]);
      await ack(key, { cursor: seen.body.nextCursor }).expect(200);
      await slow.commitTransaction();
    } finally {
      await slow.release();
    }
    const next = await feed(key).expect(200);
    expect(next.body.items.map((i: { data: { customerCode: string } }) => i.data.customerCode)).toEqual([late.code]);
    expect(Number(next.body.items[0].cursor)).toBeGreaterThan(Number(next.body.acknowledgedCursor));
  });

  it('pushes each item signed and in order to a registered webhook, retrying after the receiver failed', async () => {
    const receiver = await startReceiver();
    try {
      const company = await createClerkTestCompany(dataSource);
      const admin = await adminAgent(company);
      expect(admin.home).toContain('/backoffice/integration-webhooks');
      await admin.agent.post('/backoffice/integration-webhooks').type('form').send({ _csrf: admin.csrf, url: 'ftp://x' }).expect(400);
      const created = await admin.agent
        .post('/backoffice/integration-webhooks')
        .type('form')
        .send({ _csrf: admin.csrf, url: receiver.url })
        .expect(201);
      const secret = /data-webhook-secret>([^<]+)</.exec(created.text)?.[1] ?? '';
      expect(secret).toMatch(/^whsec_/);
      const [stored] = (await dataSource.query(`SELECT secret_sealed FROM webhook_endpoints WHERE company_id = $1`, [
        company.id,
      ])) as Array<{
        secret_sealed: string;
      }>;
      expect(stored.secret_sealed).not.toContain(secret.slice(6));
      // The secret is shown once: the list page does not show it again.
      expect((await admin.agent.get('/backoffice/integration-webhooks').expect(200)).text).not.toContain(secret);

      receiver.plan.push(500, 503);
      const codes = [await deletion(company), await deletion(company)];
      const received = await waitFor(async () => (receiver.received.length >= 2 ? receiver.received : undefined), 30_000);
      expect(received.map((item) => JSON.parse(item.rawBody).data.customerCode)).toEqual(codes);
      expect(receiver.plan).toEqual([]);
      for (const item of received) expect(verifyWebhookSignature(item.signature, item.rawBody, secret)).toBe(true);
      expect(verifyWebhookSignature(received[0].signature, received[1].rawBody, secret)).toBe(false);
      expect(received[0].webhookId).toBe(`${company.id}-${JSON.parse(received[0].rawBody).cursor}`);
      const [endpoint] = (await dataSource.query(
        `SELECT delivered_seq::int, failure_count, stopped_at FROM webhook_endpoints WHERE company_id = $1`,
        [company.id],
      )) as Array<{ delivered_seq: number; failure_count: number; stopped_at: Date | null }>;
      expect(endpoint).toEqual({ delivered_seq: Number(JSON.parse(received[1].rawBody).cursor), failure_count: 0, stopped_at: null });
      // Once delivered, never again.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(receiver.received).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });

  it('offers the webhook administration as JSON to admins of the company only', async () => {
    const company = await createClerkTestCompany(dataSource);
    const login = async (role: 'admin' | 'supervisor', of = company) => {
      const secret = generateTotpSecret();
      const clerk = await createTestClerk(dataSource, of, role, { totpSecret: secret });
      const answer = await request(app.url)
        .post('/api/v1/backoffice/auth/login')
        .send({ company: of.code, email: clerk.email, password: clerk.password, totpCode: currentTotpCode(secret) })
        .expect(200);
      return answer.body.token as string;
    };
    const admin = await login('admin');
    const api = (token: string) => ({
      get: (path: string) => request(app.url).get(path).auth(token, { type: 'bearer' }),
      post: (path: string, body?: object) => request(app.url).post(path).auth(token, { type: 'bearer' }).send(body),
      delete: (path: string) => request(app.url).delete(path).auth(token, { type: 'bearer' }),
    });
    const base = '/api/v1/backoffice/integration-webhooks';
    expect((await api(admin).post(base, { url: 'https://user:pw@athos.example/' }).expect(400)).body.code).toBe('credentials');
    const created = await api(admin).post(base, { url: 'https://athos.example/hooks' }).expect(201);
    expect(created.body).toEqual({ id: expect.any(Number), secret: expect.stringMatching(/^whsec_/) });
    const listed = await api(admin).get(base).expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: created.body.id, url: 'https://athos.example/hooks', behind: 0 })]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);

    const supervisor = await login('supervisor');
    await api(supervisor).get(base).expect(403);
    await api(supervisor).post(base, { url: 'https://athos.example/other' }).expect(403);
    const stranger = await login('admin', await createClerkTestCompany(dataSource));
    expect((await api(stranger).get(base).expect(200)).body.items).toEqual([]);
    await api(stranger).post(`${base}/${created.body.id}/retry`).expect(404);
    await api(stranger).delete(`${base}/${created.body.id}`).expect(404);

    expect((await api(admin).post(`${base}/${created.body.id}/retry`).expect(202)).body).toEqual({ id: created.body.id, status: 'queued' });
    await api(admin).delete(`${base}/${created.body.id}`).expect(204);
    expect((await api(admin).get(base).expect(200)).body.items).toEqual([]);
  });

  it('stops an endpoint whose every retry failed, shows it to admins as failing, and delivers after their retry', async () => {
    const receiver = await startReceiver();
    try {
      const company = await createClerkTestCompany(dataSource);
      const admin = await adminAgent(company);
      await admin.agent.post('/backoffice/integration-webhooks').type('form').send({ _csrf: admin.csrf, url: receiver.url }).expect(201);
      const [{ id }] = (await dataSource.query(`SELECT id::int FROM webhook_endpoints WHERE company_id = $1`, [company.id])) as Array<{
        id: number;
      }>;
      receiver.plan.push(500, 500, 500);
      const code = await deletion(company);
      await waitFor(async () => {
        const [row] = (await dataSource.query(`SELECT stopped_at FROM webhook_endpoints WHERE id = $1`, [id])) as Array<{
          stopped_at: Date | null;
        }>;
        return row.stopped_at ?? undefined;
      }, 30_000);
      expect(receiver.received).toEqual([]);
      const page = await admin.agent.get('/backoffice/integration-webhooks').expect(200);
      expect(page.text).toContain(`data-failing-webhook-id="${id}"`);
      expect(page.text).toContain('HTTP 500');

      // Another company's admin finds no such endpoint; a supervisor may not see the page at all.
      const other = await adminAgent(await createClerkTestCompany(dataSource));
      await other.agent.post(`/backoffice/integration-webhooks/${id}/retry`).type('form').send({ _csrf: other.csrf }).expect(404);
      await other.agent.post(`/backoffice/integration-webhooks/${id}/delete`).type('form').send({ _csrf: other.csrf }).expect(404);
      expect((await other.agent.get('/backoffice/integration-webhooks').expect(200)).text).not.toContain(`data-webhook-id="${id}"`);
      const supervisor = await createTestClerk(dataSource, company, 'supervisor');
      const token = (
        await request(app.url)
          .post('/api/v1/backoffice/auth/login')
          .send({ company: company.code, email: supervisor.email, password: supervisor.password })
          .expect(200)
      ).body.token as string;
      await request(app.url).get('/backoffice/integration-webhooks').auth(token, { type: 'bearer' }).set('Accept', 'text/html').expect(403);
      await request(app.url).post(`/backoffice/integration-webhooks/${id}/retry`).auth(token, { type: 'bearer' }).expect(403);

      await admin.agent.post(`/backoffice/integration-webhooks/${id}/retry`).type('form').send({ _csrf: admin.csrf }).expect(303);
      const received = await waitFor(async () => (receiver.received.length > 0 ? receiver.received : undefined), 30_000);
      expect(JSON.parse(received[0].rawBody)).toMatchObject({ type: 'account.deleted', data: { customerCode: code } });
      expect((await admin.agent.get('/backoffice/integration-webhooks').expect(200)).text).not.toContain(`data-failing-webhook-id="${id}"`);

      await admin.agent.post(`/backoffice/integration-webhooks/${id}/delete`).type('form').send({ _csrf: admin.csrf }).expect(303);
      expect(await dataSource.query(`SELECT id FROM webhook_endpoints WHERE id = $1`, [id])).toEqual([]);
    } finally {
      await receiver.close();
    }
  });
});
