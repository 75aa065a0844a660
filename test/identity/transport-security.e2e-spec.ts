import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestCompany, openTestDataSource } from '../support/database';
import { createTestCustomer } from '../support/factories';
import { RunningApp, startTestApp } from '../support/http-app';
import { hashPassword } from '../../src/identity/password-hasher';
import { csrfFieldIn } from '../support/customer-session';

const PASSWORD = 'Szentes-Fűtés-2024';
const FORGED = '203.0.113.7';

describe('transport security: client address, caching, secure cookies', () => {
  let dataSource: DataSource;
  let companyId: number;
  const apps: RunningApp[] = [];

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    companyId = await createTestCompany(dataSource, 'Szállítás Zrt');
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await dataSource?.destroy();
  });

  async function start(env: Record<string, string> = {}): Promise<RunningApp> {
    const app = await startTestApp({ env });
    apps.push(app);
    return app;
  }

  async function customerWithAccount() {
    const customer = await createTestCustomer(dataSource, companyId, 'Szállító Ügyfél');
    await dataSource.query(
      `INSERT INTO customer_accounts (company_id, customer_id, login_email, password_hash, email_verified_at) VALUES ($1, $2, $3, $4, now())`,
      [companyId, customer.id, `${customer.code.toLowerCase()}@example.hu`, await hashPassword(PASSWORD)],
    );
    return customer;
  }

  async function loggedIps(customerId: number): Promise<string[]> {
    const rows: Array<{ ip: string }> = await dataSource.query(
      `SELECT ip FROM security_events WHERE company_id = $1 AND actor_kind = 'customer' AND actor_id = $2 ORDER BY id`,
      [companyId, customerId],
    );
    return rows.map((row) => row.ip);
  }

  it('trusts X-Forwarded-For only from the configured proxies', async () => {
    const direct = await start();
    const behindProxy = await start({ TRUSTED_PROXIES: 'loopback' });
    const customer = await customerWithAccount();
    for (const app of [direct, behindProxy]) {
      await request(app.url)
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', FORGED)
        .send({ companyId, identifier: customer.code, password: 'wrong' })
        .expect(401);
    }
    const [fromDirect, fromProxy] = await loggedIps(customer.id);
    expect(fromDirect).not.toBe(FORGED);
    expect(fromDirect).toMatch(/127\.0\.0\.1|::1/);
    expect(fromProxy).toBe(FORGED);
  });

  it('sends Cache-Control: no-store to a logged-in principal, pages and API alike', async () => {
    const app = await start();
    const customer = await customerWithAccount();
    const anonymous = await request(app.url).get('/').set('Accept', 'text/html').expect(200);
    expect(anonymous.headers['cache-control'] ?? '').not.toContain('no-store');

    const login = await request(app.url)
      .post('/api/v1/auth/login')
      .send({ companyId, identifier: customer.code, password: PASSWORD })
      .expect(200);
    expect(login.headers['cache-control']).toBe('no-store');
    const me = await request(app.url).get('/api/v1/me').auth(login.body.token, { type: 'bearer' }).expect(200);
    expect(me.headers['cache-control']).toBe('no-store');

    const agent = request.agent(app.url);
    const page = await agent.get('/login').set('Accept', 'text/html').expect(200);
    const csrf = csrfFieldIn(page.text);
    await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrf, companyId: String(companyId), identifier: customer.code, password: PASSWORD })
      .expect(303);
    const home = await agent.get('/').set('Accept', 'text/html').expect(200);
    expect(home.headers['cache-control']).toBe('no-store');
  });

  it('marks cookies Secure and sends HSTS exactly when PUBLIC_URL is https', async () => {
    const plain = await start({ PUBLIC_URL: 'http://localhost:3000' });
    const https = await start({ PUBLIC_URL: 'https://portal.example.hu' });
    const overHttp = await request(plain.url).get('/login?lang=en').set('Accept', 'text/html').expect(200);
    expect([...((overHttp.headers['set-cookie'] as unknown as string[]) ?? [])].join('\n')).not.toMatch(/;\s*Secure/i);
    expect(overHttp.headers['strict-transport-security']).toBeUndefined();

    const overHttps = await request(https.url).get('/login?lang=en').set('Accept', 'text/html').expect(200);
    const cookies = [...(overHttps.headers['set-cookie'] as unknown as string[])];
    expect(cookies.length).toBeGreaterThanOrEqual(2);
    for (const cookie of cookies) expect(cookie).toMatch(/;\s*Secure/i);
    expect(overHttps.headers['strict-transport-security']).toContain('max-age=');
  });

  it('keeps counting the real address when each try forges another X-Forwarded-For (no way around the IP lock)', async () => {
    const app = await start();
    // The per-IP policy locks after 20 failures; identifiers are fresh each time, so only the IP lock can answer 429.
    const statuses: number[] = [];
    for (let attempt = 1; attempt <= 21; attempt += 1) {
      const answer = await request(app.url)
        .post('/api/v1/auth/login')
        .set('X-Forwarded-For', `198.51.100.${attempt}`)
        .send({ companyId, identifier: `NOBODY${attempt}`, password: 'wrong' });
      statuses.push(answer.status);
    }
    // (The first test's failure came from the same real address, so the lock may come one try earlier.)
    expect(statuses[0]).toBe(401);
    expect(statuses.slice(-2)).toEqual([429, 429]);
  });
});
