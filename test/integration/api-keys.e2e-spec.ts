import request from 'supertest';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, createTestClerk, TestCompany } from '../support/clerk-factories';
import { openTestDataSource } from '../support/database';
import { logInClerkOnPages } from '../support/clerk-pages';
import { RunningApp, startTestApp } from '../support/http-app';
import { createTestIntegrationKey } from '../support/integration-factories';
import { generateTotpSecret } from '../../src/identity/totp';

/** Admins create and revoke integration API keys; the key guard accepts only an active key and audits every call. */
describe('integration API keys', () => {
  let dataSource: DataSource;
  let app: RunningApp;
  let a: TestCompany;
  let b: TestCompany;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    app = await startTestApp();
    a = await createClerkTestCompany(dataSource);
    b = await createClerkTestCompany(dataSource);
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
  });

  /** A clerk of `role` logged in on the pages with a second factor. */
  async function pageAgent(company: TestCompany, role: 'admin' | 'supervisor') {
    const secret = generateTotpSecret();
    const clerk = await createTestClerk(dataSource, company, role, { totpSecret: secret });
    const { agent, csrf, html } = await logInClerkOnPages(app.url, company, clerk, secret);
    return { clerk, agent, csrf, home: html };
  }

  it('an admin creates a key that is shown once, stored hashed, and works at once', async () => {
    const { agent, csrf, home } = await pageAgent(a, 'admin');
    expect(home).toContain('/backoffice/integration-keys');
    const created = await agent
      .post('/backoffice/integration-keys')
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: csrf, name: 'ATHOS éjszakai betöltés' })
      .expect(201);
    const key = /value="(ik_[0-9a-f]{12}_[A-Za-z0-9_-]{43})"/.exec(created.text)?.[1] ?? '';
    expect(key).toMatch(/^ik_/);
    expect(created.headers['cache-control']).toContain('no-store');

    // Stored as a hash only; the list shows the prefix, never the key again.
    const [row] = await dataSource.query(`SELECT id, key_prefix, secret_hash FROM integration_api_keys WHERE company_id = $1`, [a.id]);
    expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(key.slice(16));
    const list = await agent.get('/backoffice/integration-keys').set('Accept', 'text/html').expect(200);
    expect(list.text).toContain('ATHOS éjszakai betöltés');
    expect(list.text).toContain(`ik_${row.key_prefix}_`);
    expect(list.text).not.toContain(key);

    const who = await request(app.url).get('/api/v1/integration/key').set('Authorization', `Bearer ${key}`).expect(200);
    expect(who.body).toMatchObject({ id: Number(row.id), name: 'ATHOS éjszakai betöltés', company: a.code });
    const [used] = await dataSource.query(`SELECT last_used_at FROM integration_api_keys WHERE id = $1`, [row.id]);
    expect(used.last_used_at).not.toBeNull();
    const audit = await dataSource.query(
      `SELECT event, operation, status, clerk_id FROM integration_audit_events WHERE company_id = $1 AND key_id = $2 ORDER BY id`,
      [a.id, row.id],
    );
    expect(audit.map((entry: { event: string }) => entry.event)).toEqual(['key_created', 'call']);
    expect(audit[1]).toMatchObject({ operation: 'GET /api/v1/integration/key', status: 200, clerk_id: null });
  });

  it('a revoked key is refused at once with 401, and the refusal is audited', async () => {
    const { agent, csrf } = await pageAgent(a, 'admin');
    const key = await createTestIntegrationKey(dataSource, a, 'Visszavonandó');
    await request(app.url).get('/api/v1/integration/key').set('Authorization', `Bearer ${key.key}`).expect(200);
    await agent.post(`/backoffice/integration-keys/${key.id}/revoke`).type('form').send({ _csrf: csrf }).expect(303);
    const refused = await request(app.url).get('/api/v1/integration/key').set('Authorization', `Bearer ${key.key}`).expect(401);
    expect(refused.body).toMatchObject({ statusCode: 401 });
    const events = await dataSource.query(`SELECT event, detail FROM integration_audit_events WHERE key_id = $1 ORDER BY id`, [key.id]);
    expect(events.map((entry: { event: string }) => entry.event)).toEqual(['call', 'key_revoked', 'call_refused']);
    expect(events[2].detail).toBe('revoked');
    const list = await agent.get('/backoffice/integration-keys').set('Accept', 'text/html').expect(200);
    expect(new RegExp(`<tr data-key-id="${key.id}">[\\s\\S]*?</tr>`).exec(list.text)?.[0]).not.toContain('<form');
  });

  it('refuses a missing, malformed, unknown or tampered key, and a customer or clerk token', async () => {
    const key = await createTestIntegrationKey(dataSource, a);
    const tampered = `${key.key.slice(0, -1)}${key.key.endsWith('A') ? 'B' : 'A'}`;
    for (const header of [
      undefined,
      'Bearer nonsense',
      `Bearer ik_000000000000_${'a'.repeat(43)}`,
      `Bearer ${tampered}`,
      `Basic ${key.key}`,
    ]) {
      const call = request(app.url).get('/api/v1/integration/key');
      const answer = await (header ? call.set('Authorization', header) : call).expect(401);
      expect(answer.body.message).toContain('integration API key');
    }
    const clerk = await createTestClerk(dataSource, a, 'admin');
    const login = await request(app.url)
      .post('/api/v1/backoffice/auth/login')
      .send({ company: a.code, email: clerk.email, password: clerk.password });
    if (login.status === 200) {
      await request(app.url)
        .get('/api/v1/integration/key')
        .set('Authorization', `Bearer ${login.body.token as string}`)
        .expect(401);
    }
  });

  it("an admin cannot revoke another company's key (404), and only admins reach the key pages", async () => {
    const keyOfB = await createTestIntegrationKey(dataSource, b);
    const { agent, csrf } = await pageAgent(a, 'admin');
    await agent
      .post(`/backoffice/integration-keys/${keyOfB.id}/revoke`)
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: csrf })
      .expect(404);
    await request(app.url).get('/api/v1/integration/key').set('Authorization', `Bearer ${keyOfB.key}`).expect(200);

    const supervisor = await pageAgent(a, 'supervisor');
    expect(supervisor.home).not.toContain('/backoffice/integration-keys');
    await supervisor.agent.get('/backoffice/integration-keys').set('Accept', 'text/html').expect(403);
    await supervisor.agent
      .post('/backoffice/integration-keys')
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: supervisor.csrf, name: 'Nem szabad' })
      .expect(403);
    const [count] = await dataSource.query(`SELECT count(*)::int AS n FROM integration_api_keys WHERE name = 'Nem szabad'`);
    expect(count.n).toBe(0);
    // Without a login the page sends the clerk to the login.
    await request(app.url).get('/backoffice/integration-keys').set('Accept', 'text/html').expect(303);
  });

  it('refuses an empty name with a form error and creates nothing', async () => {
    const { agent, csrf } = await pageAgent(b, 'admin');
    const before = await dataSource.query(`SELECT count(*)::int AS n FROM integration_api_keys WHERE company_id = $1`, [b.id]);
    const answer = await agent
      .post('/backoffice/integration-keys')
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: csrf, name: '  ' })
      .expect(400);
    expect(answer.text).toContain('megnevezést');
    const after = await dataSource.query(`SELECT count(*)::int AS n FROM integration_api_keys WHERE company_id = $1`, [b.id]);
    expect(after[0].n).toBe(before[0].n);
  });
});
