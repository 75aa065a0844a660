import request from 'supertest';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, createTestClerk, TestClerk, TestCompany } from '../support/clerk-factories';
import { loginTestCustomer, startCookieSession } from '../support/customer-session';
import { createTestCustomer } from '../support/factories';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { QUEUE_DASHBOARD_ROUTE } from '../../src/approval/queue-dashboard';
import { currentTotpCode, generateTotpSecret } from '../../src/identity/totp';

/**
 * The BullMQ dashboard: behind the back-office login with the second factor, for the admins
 * of the company running the installation only (the queues hold every company's jobs).
 */
describe('queue dashboard (bull-board) access', () => {
  let dataSource: DataSource;
  let app: RunningApp;
  let company: TestCompany;
  let otherCompany: TestCompany;

  const clerkCookie = async (clerk: TestClerk) =>
    (
      await startCookieSession(app, {
        kind: 'clerk',
        companyId: clerk.companyId,
        clerkId: clerk.id,
        name: 'Teszt',
        role: clerk.role,
      })
    ).cookie;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    company = await createClerkTestCompany(dataSource);
    otherCompany = await createClerkTestCompany(dataSource);
    app = await startTestApp({ env: { QUEUE_DASHBOARD_COMPANY: company.code } });
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
  });

  it('shows an admin who logged in with the second factor every queue, read-only', async () => {
    const secret = generateTotpSecret();
    const admin = await createTestClerk(dataSource, company, 'admin', { totpSecret: secret });
    const agent = request.agent(app.url);
    const login = await agent.get('/backoffice/login').set('Accept', 'text/html');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1] ?? '';
    const step = await agent
      .post('/backoffice/login')
      .type('form')
      .send({ _csrf: csrf, company: company.code, email: admin.email, password: admin.password })
      .expect(200);
    const pending = /name="pending" value="([^"]+)"/.exec(step.text)?.[1] ?? '';
    // Password alone is not enough: the dashboard still sends the browser to the login.
    await agent.get(QUEUE_DASHBOARD_ROUTE).expect(303).expect('Location', '/backoffice/login');
    await agent
      .post('/backoffice/login/totp')
      .type('form')
      .send({ _csrf: csrf, pending, code: currentTotpCode(secret) })
      .expect(303);

    const page = await agent.get(QUEUE_DASHBOARD_ROUTE).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('__UI_CONFIG__');
    const queues = await agent.get(`${QUEUE_DASHBOARD_ROUTE}/api/queues`).expect(200);
    const listed = (queues.body.queues as Array<{ name: string; readOnlyMode: boolean }>).map(({ name, readOnlyMode }) => ({
      name,
      readOnlyMode,
    }));
    expect(listed).toEqual(expect.arrayContaining(['email', 'notifications', 'reminders'].map((name) => ({ name, readOnlyMode: true }))));
  });

  it("refuses another company's admin, second factor and all: the queues hold every company's jobs", async () => {
    const admin = await createTestClerk(dataSource, otherCompany, 'admin', { totpSecret: generateTotpSecret() });
    const cookie = await clerkCookie(admin);
    for (const path of [QUEUE_DASHBOARD_ROUTE, `${QUEUE_DASHBOARD_ROUTE}/api/queues`]) {
      const answer = await request(app.url).get(path).set('Cookie', cookie).expect(403);
      expect(answer.text).not.toContain('__UI_CONFIG__');
    }
  });

  it('sends an admin without a second factor to enrolment', async () => {
    const admin = await createTestClerk(dataSource, company, 'admin');
    await request(app.url)
      .get(QUEUE_DASHBOARD_ROUTE)
      .set('Cookie', await clerkCookie(admin))
      .expect(303)
      .expect('Location', '/backoffice/totp');
  });

  it.each(['clerk', 'supervisor'] as const)('refuses a %s', async (role) => {
    const clerk = await createTestClerk(dataSource, company, role);
    const cookie = await clerkCookie(clerk);
    for (const path of [QUEUE_DASHBOARD_ROUTE, `${QUEUE_DASHBOARD_ROUTE}/api/queues`]) {
      const answer = await request(app.url).get(path).set('Cookie', cookie).expect(403);
      expect(answer.text).not.toContain('__UI_CONFIG__');
    }
  });

  it('refuses a customer and sends a visitor to the login', async () => {
    const customer = await createTestCustomer(dataSource, company.id);
    const session = await loginTestCustomer(app, dataSource, company.id, customer.id);
    await request(app.url).get(QUEUE_DASHBOARD_ROUTE).set('Cookie', session.cookie).expect(403);
    await request(app.url).get(`${QUEUE_DASHBOARD_ROUTE}/api/queues`).set('Authorization', `Bearer ${session.bearer}`).expect(403);
    await request(app.url).get(QUEUE_DASHBOARD_ROUTE).expect(303).expect('Location', '/backoffice/login');
    await request(app.url).get(`${QUEUE_DASHBOARD_ROUTE}/api/queues`).expect(303).expect('Location', '/backoffice/login');
  });
});
