import request from 'supertest';
import { QueuesService } from '../../src/core/queues.service';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, createTestClerk, TestClerk, TestCompany } from '../support/clerk-factories';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { currentTotpCode, generateTotpSecret } from '../../src/identity/totp';
import { csrfFieldIn } from '../support/customer-session';

function apiLogin(app: RunningApp, clerk: TestClerk, overrides: Record<string, string> = {}) {
  return request(app.url)
    .post('/api/v1/backoffice/auth/login')
    .send({ company: clerk.companyCode, email: clerk.email, password: clerk.password, ...overrides });
}

/** A browser-like agent: a GET gives it a session cookie and the CSRF token of its forms. */
async function pageAgent(app: RunningApp, path = '/backoffice/login') {
  const agent = request.agent(app.url);
  const page = await agent.get(path).set('Accept', 'text/html');
  const csrf = csrfFieldIn(page.text);
  return { agent, csrf, page };
}

describe('back-office login', () => {
  let dataSource: DataSource;
  let app: RunningApp;
  let company: TestCompany;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    app = await startTestApp();
    company = await createClerkTestCompany(dataSource);
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
  });

  it('logs a clerk in through the API, and the token reaches /me; logout revokes it', async () => {
    const clerk = await createTestClerk(dataSource, company, 'clerk');
    const login = await apiLogin(app, clerk).expect(200);
    expect(login.body.mustEnrolTotp).toBe(false);
    const me = await request(app.url).get('/api/v1/backoffice/me').auth(login.body.token, { type: 'bearer' }).expect(200);
    expect(me.body).toMatchObject({ id: clerk.id, companyId: company.id, role: 'clerk' });
    await request(app.url).post('/api/v1/backoffice/auth/logout').auth(login.body.token, { type: 'bearer' }).expect(204);
    await request(app.url).get('/api/v1/backoffice/me').auth(login.body.token, { type: 'bearer' }).expect(401);
    const events = await dataSource.query(`SELECT event FROM security_events WHERE company_id = $1 AND actor_id = $2 ORDER BY id`, [
      company.id,
      clerk.id,
    ]);
    expect(events.map((row: { event: string }) => row.event)).toEqual(['login_succeeded', 'logout']);
  });

  it('refuses a wrong password, an unknown e-mail and an unknown company alike', async () => {
    const clerk = await createTestClerk(dataSource, company, 'clerk');
    const wrong = await apiLogin(app, clerk, { password: 'Nem-ez-a-jelszo-1' }).expect(401);
    const unknown = await apiLogin(app, clerk, { email: 'senki@teszt.local' }).expect(401);
    const noCompany = await apiLogin(app, clerk, { company: 'nincs-ilyen-ceg' }).expect(401);
    expect(wrong.body.message).toBe(unknown.body.message);
    expect(wrong.body.message).toBe(noCompany.body.message);
    await apiLogin(app, clerk, { email: 'not an email' }).expect(400);
  });

  it('locks an account after repeated failures, tells when to retry, and records the lockout', async () => {
    const clerk = await createTestClerk(dataSource, company, 'supervisor');
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await apiLogin(app, clerk, { password: 'Nem-ez-a-jelszo-1' })).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(statuses[4]).toBe(429);
    const locked = await apiLogin(app, clerk).expect(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const events = await dataSource.query(`SELECT event FROM security_events WHERE company_id = $1 AND actor_id = $2`, [
      company.id,
      clerk.id,
    ]);
    expect(events.map((row: { event: string }) => row.event)).toContain('lockout');
  });

  it('logs in on the page and shows the back-office home with the clerk name', async () => {
    const clerk = await createTestClerk(dataSource, company, 'clerk', { name: 'Oldal Ügyintéző' });
    const { agent, csrf } = await pageAgent(app);
    const posted = await agent
      .post('/backoffice/login')
      .type('form')
      .send({ _csrf: csrf, company: clerk.companyCode, email: clerk.email, password: clerk.password })
      .expect(303);
    expect(posted.headers.location).toBe('/backoffice');
    const home = await agent.get('/backoffice').set('Accept', 'text/html').expect(200);
    expect(home.text).toContain('Oldal Ügyintéző');
    expect(home.text).not.toContain('/backoffice/clerks');
  });

  it('shows a form error for a wrong password on the page, without echoing it', async () => {
    const clerk = await createTestClerk(dataSource, company, 'clerk');
    const { agent, csrf } = await pageAgent(app);
    const page = await agent
      .post('/backoffice/login')
      .type('form')
      .send({ _csrf: csrf, company: clerk.companyCode, email: clerk.email, password: '<script>x</script>' })
      .expect(401);
    expect(page.text).toContain('error-summary');
    expect(page.text).not.toContain('<script>x');
  });

  it('sends an admin without TOTP to enrolment, blocks everything else until a code confirms it', async () => {
    const admin = await createTestClerk(dataSource, company, 'admin');
    const { agent, csrf } = await pageAgent(app);
    const posted = await agent
      .post('/backoffice/login')
      .type('form')
      .send({ _csrf: csrf, company: admin.companyCode, email: admin.email, password: admin.password });
    expect(posted.status).toBe(303);
    expect(posted.headers.location).toBe('/backoffice/totp');
    for (const path of ['/backoffice', '/backoffice/clerks', '/backoffice/security-events']) {
      const blocked = await agent.get(path).set('Accept', 'text/html');
      expect({ path, status: blocked.status, location: blocked.headers.location }).toEqual({
        path,
        status: 303,
        location: '/backoffice/totp',
      });
    }
    const enrol = await agent.get('/backoffice/totp').set('Accept', 'text/html').expect(200);
    const secret = (/data-totp-secret>([A-Z2-7 ]+)</.exec(enrol.text)?.[1] ?? '').replace(/ /g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrol.text).toContain('otpauth://totp/');
    const qr = /<img src="data:image\/svg\+xml;base64,([^"]+)"/.exec(enrol.text)?.[1] ?? '';
    expect(Buffer.from(qr, 'base64').toString('utf8')).toContain('<svg');
    const cookieBefore = (await agent.get('/backoffice/totp').set('Accept', 'text/html')).request.cookies;
    await agent
      .post('/backoffice/totp')
      .type('form')
      .send({ _csrf: csrfFieldIn(enrol.text), code: '000000' })
      .expect(400);
    await agent
      .post('/backoffice/totp')
      .type('form')
      .send({ _csrf: csrfFieldIn(enrol.text), code: currentTotpCode(secret) })
      .expect(303);
    // A fresh session once the second factor is set (a new id; the old one is gone).
    const oldSession = /portal_sid=([^;]+)/.exec(cookieBefore)?.[1] ?? '';
    expect(oldSession).not.toBe('');
    await request(app.url).get('/backoffice/clerks').set('Cookie', `portal_sid=${oldSession}`).set('Accept', 'text/html').expect(303);
    await agent.get('/backoffice/clerks').set('Accept', 'text/html').expect(200);

    // The API: the token of an admin without TOTP reaches only enrolment.
    const other = await createTestClerk(dataSource, company, 'admin');
    const login = await apiLogin(app, other).expect(200);
    expect(login.body.mustEnrolTotp).toBe(true);
    await request(app.url).get('/api/v1/backoffice/clerks').auth(login.body.token, { type: 'bearer' }).expect(403);
    const started = await request(app.url).post('/api/v1/backoffice/totp/enrolment').auth(login.body.token, { type: 'bearer' }).expect(200);
    // At rest the secret is sealed, in Redis while enrolling and in the database once confirmed.
    const redis = app.app.get(QueuesService).connection;
    const pending = await redis.get(`${process.env.REDIS_KEY_PREFIX}clerk-totp-enrolment:${other.companyId}:${other.id}`);
    expect(pending).toMatch(/^v1\./);
    expect(pending).not.toContain(started.body.secret);
    const confirmed = await request(app.url)
      .post('/api/v1/backoffice/totp/enrolment/confirm')
      .auth(login.body.token, { type: 'bearer' })
      .send({ code: currentTotpCode(started.body.secret) })
      .expect(200);
    // A fresh token once the second factor is set: the one from before it has ended.
    await request(app.url).get('/api/v1/backoffice/me').auth(login.body.token, { type: 'bearer' }).expect(401);
    login.body.token = confirmed.body.token;
    const [stored] = (await dataSource.query(`SELECT totp_secret FROM clerks WHERE id = $1`, [other.id])) as Array<{ totp_secret: string }>;
    expect(stored.totp_secret).toMatch(/^v1\.[A-Za-z0-9_-]+\./);
    expect(stored.totp_secret).not.toContain(started.body.secret);
    await request(app.url).get('/api/v1/backoffice/clerks').auth(login.body.token, { type: 'bearer' }).expect(200);
    // A session alone is not enough to replace the second factor.
    await request(app.url).post('/api/v1/backoffice/totp/enrolment').auth(login.body.token, { type: 'bearer' }).expect(409);
  });

  it('asks a clerk with TOTP for a valid code, in the API and on the page', async () => {
    const secret = generateTotpSecret();
    const clerk = await createTestClerk(dataSource, company, 'supervisor', { totpSecret: secret });
    const missing = await apiLogin(app, clerk).expect(401);
    expect(missing.body.totpRequired).toBe(true);
    await apiLogin(app, clerk, { totpCode: String((Number(currentTotpCode(secret)) + 1) % 1_000_000).padStart(6, '0') }).expect(401);
    const code = currentTotpCode(secret);
    await apiLogin(app, clerk, { totpCode: code }).expect(200);
    // The same code again is a replay.
    await apiLogin(app, clerk, { totpCode: code }).expect(401);

    const page = await createTestClerk(dataSource, company, 'clerk', { totpSecret: secret });
    const { agent, csrf } = await pageAgent(app);
    const step = await agent
      .post('/backoffice/login')
      .type('form')
      .send({ _csrf: csrf, company: page.companyCode, email: page.email, password: page.password })
      .expect(200);
    const pending = /name="pending" value="([^"]+)"/.exec(step.text)?.[1] ?? '';
    expect(pending).not.toBe('');
    await agent.get('/backoffice').set('Accept', 'text/html').expect(303);
    await agent
      .post('/backoffice/login/totp')
      .type('form')
      .send({ _csrf: csrfFieldIn(step.text), pending, code: '12345' })
      .expect(401);
    const done = await agent
      .post('/backoffice/login/totp')
      .type('form')
      .send({ _csrf: csrfFieldIn(step.text), pending, code: currentTotpCode(secret) });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe('/backoffice');
    await agent.get('/backoffice').set('Accept', 'text/html').expect(200);
  });

  it('keeps a clerk or supervisor without a second factor out of the queue once the grace period is over', async () => {
    const strict = await createClerkTestCompany(dataSource, { totpGraceDays: 0 });
    for (const role of ['clerk', 'supervisor'] as const) {
      const clerk = await createTestClerk(dataSource, strict, role);
      const login = await apiLogin(app, clerk).expect(200);
      expect(login.body.mustEnrolTotp).toBe(true);
      const api = await request(app.url).get('/api/v1/backoffice/requests').auth(login.body.token, { type: 'bearer' }).expect(403);
      expect(api.body.message).toContain('TOTP enrolment required');
      const { agent, csrf } = await pageAgent(app);
      await agent
        .post('/backoffice/login')
        .type('form')
        .send({ _csrf: csrf, company: clerk.companyCode, email: clerk.email, password: clerk.password })
        .expect(303);
      const page = await agent.get('/backoffice/queue').set('Accept', 'text/html').expect(303);
      expect(page.headers.location).toBe('/backoffice/totp');
    }
    // Within a company's grace period the same clerk works, and is told to enrol.
    const lenient = await createClerkTestCompany(dataSource, { totpGraceDays: 7 });
    const newcomer = await createTestClerk(dataSource, lenient, 'clerk');
    const login = await apiLogin(app, newcomer).expect(200);
    expect(login.body.mustEnrolTotp).toBe(false);
    await request(app.url).get('/api/v1/backoffice/requests').auth(login.body.token, { type: 'bearer' }).expect(200);
  });
});
