import request from 'supertest';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, createTestClerk, TestClerk, TestCompany } from '../support/clerk-factories';
import { openTestDataSource } from '../support/database';
import { createDebts, createSucceededPayment } from '../payments/fixtures';
import { RunningApp, startTestApp } from '../support/http-app';
import { SessionService } from '../../src/identity/session.service';
import { SecurityAuditService } from '../../src/identity/security-audit.service';
import { currentTotpCode, generateTotpSecret } from '../../src/identity/totp';
import { csrfFieldIn } from '../support/customer-session';

const PAGES = [
  '/backoffice',
  '/backoffice/totp',
  '/backoffice/clerks',
  '/backoffice/security-events',
  '/backoffice/payments',
  '/backoffice/payments/1',
  // The work queue and a request's page of any kind, with the reading kind's chart.
  '/backoffice/queue',
  '/backoffice/requests/1',
  '/backoffice/requests/1/chart.svg',
  '/backoffice/stalled',
  '/backoffice/customers',
  '/backoffice/customers/1',
  '/backoffice/base-rates',
  '/backoffice/reminder-runs',
  '/backoffice/emails/failed',
  '/backoffice/settings',
  '/backoffice/messages',
  '/backoffice/messages/new',
  '/backoffice/integration-keys',
  '/backoffice/integration-webhooks',
  // The admins' queue dashboard (bull-board) and its JSON.
  '/backoffice/queues',
  '/backoffice/queues/api/queues',
];
const PAGE_POSTS = [
  '/backoffice/queue/bulk-approve',
  '/backoffice/requests/1/approve',
  '/backoffice/requests/1/reject',
  '/backoffice/totp',
  '/backoffice/clerks',
  '/backoffice/logout',
  '/backoffice/clerks/1/totp-reset',
  '/backoffice/clerks/1/deactivate',
  '/backoffice/clerks/1/reactivate',
  '/backoffice/clerks/1/role',
  '/backoffice/payments/1/allocate',
  '/backoffice/stalled/outbox/1/resend',
  '/backoffice/base-rates',
  '/backoffice/emails/1/resend',
  '/backoffice/settings',
  '/backoffice/messages',
  '/backoffice/integration-keys',
  '/backoffice/integration-keys/1/revoke',
  '/backoffice/integration-webhooks',
  '/backoffice/integration-webhooks/1/retry',
  '/backoffice/integration-webhooks/1/delete',
];

describe('back-office access control', () => {
  let dataSource: DataSource;
  let app: RunningApp;
  let a: TestCompany;
  let b: TestCompany;
  let adminA: TestClerk;
  let adminASecret: string;
  let supervisorA: TestClerk;
  let clerkA: TestClerk;
  let supervisorB: TestClerk;
  let adminB: TestClerk;
  let adminBSecret: string;
  const tokens: Record<string, string> = {};

  async function token(clerk: TestClerk, secret?: string): Promise<string> {
    const response = await request(app.url)
      .post('/api/v1/backoffice/auth/login')
      .send({
        company: clerk.companyCode,
        email: clerk.email,
        password: clerk.password,
        ...(secret ? { totpCode: currentTotpCode(secret) } : {}),
      })
      .expect(200);
    return response.body.token as string;
  }

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    app = await startTestApp();
    a = await createClerkTestCompany(dataSource);
    b = await createClerkTestCompany(dataSource);
    adminASecret = generateTotpSecret();
    adminBSecret = generateTotpSecret();
    adminA = await createTestClerk(dataSource, a, 'admin', { totpSecret: adminASecret });
    supervisorA = await createTestClerk(dataSource, a, 'supervisor');
    clerkA = await createTestClerk(dataSource, a, 'clerk');
    supervisorB = await createTestClerk(dataSource, b, 'supervisor');
    adminB = await createTestClerk(dataSource, b, 'admin', { totpSecret: adminBSecret });
    tokens.adminA = await token(adminA, adminASecret);
    tokens.supervisorA = await token(supervisorA);
    tokens.clerkA = await token(clerkA);
    tokens.supervisorB = await token(supervisorB);
    tokens.adminB = await token(adminB, adminBSecret);
    const audit = app.app.get(SecurityAuditService);
    await audit.record(undefined, {
      companyId: a.id,
      actorKind: 'customer',
      actorId: 4242,
      event: 'login_failed',
      ip: '10.1.1.1',
      detail: 'a-customer',
    });
    await audit.record(undefined, {
      companyId: b.id,
      actorKind: 'customer',
      actorId: 4343,
      event: 'login_failed',
      ip: '10.2.2.2',
      detail: 'b-customer',
    });
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
  });

  it('lets an admin create a clerk of the own company, and refuses supervisors and clerks', async () => {
    const body = { name: 'Új Ügyintéző', email: `uj-${Date.now()}@teszt.local`, role: 'clerk', password: 'Hosszu-Jo-Jelszo-77' };
    const created = await request(app.url).post('/api/v1/backoffice/clerks').auth(tokens.adminA, { type: 'bearer' }).send(body).expect(201);
    expect(created.body).toMatchObject({ name: 'Új Ügyintéző', role: 'clerk', totpEnrolled: false });
    const [row] = await dataSource.query(`SELECT company_id FROM clerks WHERE id = $1`, [created.body.id]);
    expect(row.company_id).toBe(a.id);
    await request(app.url).post('/api/v1/backoffice/clerks').auth(tokens.adminA, { type: 'bearer' }).send(body).expect(409);
    await request(app.url)
      .post('/api/v1/backoffice/clerks')
      .auth(tokens.adminA, { type: 'bearer' })
      .send({ ...body, email: `x${body.email}`, password: 'password' })
      .expect(400);
    await request(app.url)
      .post('/api/v1/backoffice/clerks')
      .auth(tokens.adminA, { type: 'bearer' })
      .send({ ...body, email: `y${body.email}`, companyId: b.id })
      .expect(400);
    for (const who of ['supervisorA', 'clerkA']) {
      await request(app.url)
        .post('/api/v1/backoffice/clerks')
        .auth(tokens[who], { type: 'bearer' })
        .send({ ...body, email: `z${who}${body.email}` })
        .expect(403);
    }
    const events = await request(app.url)
      .get('/api/v1/backoffice/security-events?actorKind=clerk')
      .auth(tokens.supervisorA, { type: 'bearer' })
      .expect(200);
    expect(events.body.items.map((item: { event: string }) => item.event)).toContain('clerk_created');
  });

  it('creates a clerk on the page (admin) and the new clerk can log in', async () => {
    const secret = generateTotpSecret();
    const admin = await createTestClerk(dataSource, a, 'admin', { totpSecret: secret });
    const agent = request.agent(app.url);
    const login = await agent.get('/backoffice/login').set('Accept', 'text/html');
    const csrf = csrfFieldIn(login.text);
    const step = await agent
      .post('/backoffice/login')
      .type('form')
      .send({ _csrf: csrf, company: a.code, email: admin.email, password: admin.password })
      .expect(200);
    const pending = /name="pending" value="([^"]+)"/.exec(step.text)?.[1] ?? '';
    await agent
      .post('/backoffice/login/totp')
      .type('form')
      .send({ _csrf: csrf, pending, code: currentTotpCode(secret) })
      .expect(303);
    const page = await agent.get('/backoffice/clerks').set('Accept', 'text/html').expect(200);
    const formCsrf = csrfFieldIn(page.text);
    const email = `oldal-${Date.now()}@teszt.local`;
    const bad = await agent
      .post('/backoffice/clerks')
      .type('form')
      .send({ _csrf: formCsrf, name: '<b>x</b>', email, role: 'clerk', password: '123' })
      .expect(400);
    expect(bad.text).toContain('error-summary');
    expect(bad.text).not.toContain('<b>x</b>');
    await agent
      .post('/backoffice/clerks')
      .type('form')
      .send({ _csrf: formCsrf, name: 'Oldalon Létrehozott', email, role: 'clerk', password: 'Hosszu-Jo-Jelszo-77' })
      .expect(303);
    expect((await agent.get('/backoffice/clerks').set('Accept', 'text/html')).text).toContain('Oldalon Létrehozott');
    await request(app.url)
      .post('/api/v1/backoffice/auth/login')
      .send({ company: a.code, email, password: 'Hosszu-Jo-Jelszo-77' })
      .expect(200);
  });

  it("shows a supervisor the own company's security events only", async () => {
    const own = await request(app.url)
      .get('/api/v1/backoffice/security-events?limit=200')
      .auth(tokens.supervisorA, { type: 'bearer' })
      .expect(200);
    const details = own.body.items.map((item: { detail: string | null }) => item.detail);
    expect(details).toContain('a-customer');
    expect(details).not.toContain('b-customer');
    const customers = await request(app.url)
      .get('/api/v1/backoffice/security-events?actorKind=customer')
      .auth(tokens.supervisorA, { type: 'bearer' })
      .expect(200);
    expect(customers.body.items.every((item: { actorKind: string }) => item.actorKind === 'customer')).toBe(true);
    await request(app.url)
      .get('/api/v1/backoffice/security-events?actorKind=system')
      .auth(tokens.supervisorA, { type: 'bearer' })
      .expect(400);
    await request(app.url)
      .get('/api/v1/backoffice/security-events?before=1%20OR%201=1')
      .auth(tokens.supervisorA, { type: 'bearer' })
      .expect(400);
    await request(app.url).get('/api/v1/backoffice/security-events').auth(tokens.clerkA, { type: 'bearer' }).expect(403);
  });

  it("answers 404 for another company's clerk and event ids, and lists none of their rows", async () => {
    const [bEvent] = await dataSource.query(`SELECT id FROM security_events WHERE company_id = $1 ORDER BY id LIMIT 1`, [b.id]);
    const [aEvent] = await dataSource.query(`SELECT id FROM security_events WHERE company_id = $1 ORDER BY id LIMIT 1`, [a.id]);
    await request(app.url).get(`/api/v1/backoffice/security-events/${aEvent.id}`).auth(tokens.supervisorA, { type: 'bearer' }).expect(200);
    await request(app.url).get(`/api/v1/backoffice/security-events/${aEvent.id}`).auth(tokens.supervisorB, { type: 'bearer' }).expect(404);
    await request(app.url).get(`/api/v1/backoffice/security-events/${bEvent.id}`).auth(tokens.supervisorA, { type: 'bearer' }).expect(404);
    await request(app.url).get(`/api/v1/backoffice/clerks/${clerkA.id}`).auth(tokens.adminA, { type: 'bearer' }).expect(200);
    await request(app.url).get(`/api/v1/backoffice/clerks/${clerkA.id}`).auth(tokens.adminB, { type: 'bearer' }).expect(404);
    await request(app.url).get(`/api/v1/backoffice/clerks/99999999999`).auth(tokens.adminB, { type: 'bearer' }).expect(404);
    const listB = await request(app.url).get('/api/v1/backoffice/clerks').auth(tokens.adminB, { type: 'bearer' }).expect(200);
    expect(listB.body.map((clerk: { id: number }) => clerk.id)).not.toContain(clerkA.id);
    const eventsB = await request(app.url)
      .get(`/api/v1/backoffice/security-events?before=${aEvent.id + 1000}`)
      .auth(tokens.supervisorB, { type: 'bearer' })
      .expect(200);
    expect(eventsB.body.items).toHaveLength(0);
    const pageB = await request(app.url)
      .get('/api/v1/backoffice/security-events?limit=200')
      .auth(tokens.supervisorB, { type: 'bearer' })
      .expect(200);
    expect(pageB.body.items.map((item: { detail: string | null }) => item.detail)).not.toContain('a-customer');
  });

  it("answers 404 for another company's payment (API and page), lists none of them, and refuses its allocation", async () => {
    const debts = await createDebts(dataSource, a.id);
    const paymentId = await createSucceededPayment(dataSource, a.id, debts.customerId, debts.items[0]);
    await dataSource.query(`UPDATE payments SET flagged = true WHERE id = $1`, [paymentId]);
    await request(app.url).get(`/api/v1/backoffice/payments/${paymentId}`).auth(tokens.clerkA, { type: 'bearer' }).expect(200);
    await request(app.url).get(`/api/v1/backoffice/payments/${paymentId}`).auth(tokens.supervisorB, { type: 'bearer' }).expect(404);
    await request(app.url)
      .get(`/backoffice/payments/${paymentId}`)
      .auth(tokens.supervisorB, { type: 'bearer' })
      .set('Accept', 'text/html')
      .expect(404);
    await request(app.url)
      .post(`/api/v1/backoffice/payments/${paymentId}/allocations`)
      .auth(tokens.supervisorB, { type: 'bearer' })
      .send({ allocations: [{ debtItemId: debts.items[1].id, amount: 1 }] })
      .expect(404);
    const listB = await request(app.url)
      .get('/api/v1/backoffice/payments?limit=200')
      .auth(tokens.supervisorB, { type: 'bearer' })
      .expect(200);
    expect(listB.body.items.map((p: { id: number }) => p.id)).not.toContain(paymentId);
    const listA = await request(app.url)
      .get('/api/v1/backoffice/payments?flagged=true')
      .auth(tokens.clerkA, { type: 'bearer' })
      .expect(200);
    expect(listA.body.items.map((p: { id: number }) => p.id)).toContain(paymentId);
    const [{ n }] = (await dataSource.query(`SELECT count(*)::int AS n FROM payment_allocations WHERE payment_id = $1`, [
      paymentId,
    ])) as Array<{ n: number }>;
    expect(n).toBe(1);
  });

  it("shows supervisors and admins their own company's reminder runs, and refuses clerks", async () => {
    await dataSource.query(`INSERT INTO reminder_runs (company_id, kind, run_on, queued) VALUES ($1, 'overdue', '2030-01-02', 7)`, [a.id]);
    const runs = await request(app.url).get('/api/v1/backoffice/reminder-runs').auth(tokens.supervisorA, { type: 'bearer' }).expect(200);
    expect(runs.body.items).toEqual([expect.objectContaining({ kind: 'overdue', runOn: '2030-01-02', found: 7, queued: 7, sent: 0 })]);
    const admin = await request(app.url).get('/api/v1/backoffice/reminder-runs').auth(tokens.adminA, { type: 'bearer' }).expect(200);
    expect(admin.body.items).toHaveLength(1);
    const other = await request(app.url).get('/api/v1/backoffice/reminder-runs').auth(tokens.supervisorB, { type: 'bearer' }).expect(200);
    expect(other.body.items).toEqual([]);
    await request(app.url).get('/api/v1/backoffice/reminder-runs').auth(tokens.clerkA, { type: 'bearer' }).expect(403);
    const page = await request(app.url)
      .get('/backoffice/reminder-runs')
      .auth(tokens.supervisorA, { type: 'bearer' })
      .set('Accept', 'text/html')
      .expect(200);
    expect(page.text).toContain('Lejárt határidő');
    expect(page.text).toContain('2030.01.02');
    await request(app.url).get('/backoffice/reminder-runs').auth(tokens.clerkA, { type: 'bearer' }).set('Accept', 'text/html').expect(403);
  });

  it("lets admins see and resend their own company's failed e-mails only", async () => {
    const failed = async (companyId: number) => {
      const [row] = await dataSource.query(
        `INSERT INTO email_log (company_id, template, language, recipient, params, status, attempts, last_error)
         VALUES ($1, 'password-reset', 'hu', 'failed@example.test', '{}', 'failed', 6, 'connection refused') RETURNING id`,
        [companyId],
      );
      return Number(row.id);
    };
    const mine = await failed(a.id);
    const theirs = await failed(b.id);
    const list = await request(app.url).get('/api/v1/backoffice/emails/failed').auth(tokens.adminA, { type: 'bearer' }).expect(200);
    expect(list.body.items).toEqual([expect.objectContaining({ id: mine, attempts: 6, lastError: 'connection refused' })]);
    for (const who of ['supervisorA', 'clerkA']) {
      await request(app.url).get('/api/v1/backoffice/emails/failed').auth(tokens[who], { type: 'bearer' }).expect(403);
      await request(app.url).post(`/api/v1/backoffice/emails/${mine}/resend`).auth(tokens[who], { type: 'bearer' }).expect(403);
    }
    await request(app.url).post(`/api/v1/backoffice/emails/${theirs}/resend`).auth(tokens.adminA, { type: 'bearer' }).expect(404);
    const page = await request(app.url)
      .get('/backoffice/emails/failed')
      .auth(tokens.adminA, { type: 'bearer' })
      .set('Accept', 'text/html')
      .expect(200);
    expect(page.text).toContain(`data-email-id="${mine}"`);
    expect(page.text).not.toContain(`data-email-id="${theirs}"`);
    const resent = await request(app.url)
      .post(`/api/v1/backoffice/emails/${mine}/resend`)
      .auth(tokens.adminA, { type: 'bearer' })
      .expect(202);
    expect(resent.body).toEqual({ id: mine, status: 'queued' });
    const rows = await dataSource.query(
      `SELECT e.status, (SELECT count(*)::int FROM outbox o WHERE o.payload->>'emailId' = e.id::text) AS jobs FROM email_log e WHERE e.id = ANY($1::bigint[]) ORDER BY e.id`,
      [[mine, theirs]],
    );
    expect(rows).toEqual([
      { status: 'queued', jobs: 1 },
      { status: 'failed', jobs: 0 },
    ]);
    // Only a failed e-mail can be resent.
    await request(app.url).post(`/api/v1/backoffice/emails/${mine}/resend`).auth(tokens.adminA, { type: 'bearer' }).expect(404);
  });

  it("lets admins see and change their own company's settings only; supervisors and clerks are refused", async () => {
    const settingsOf = async (companyId: number) =>
      dataSource.query(`SELECT editable_fields, payment_methods FROM profile_settings WHERE company_id = $1`, [companyId]);
    const body = { editableFields: ['phone'], paymentMethods: ['bank_transfer'], answerDays: { data_change: 9 } };
    for (const who of ['supervisorA', 'clerkA', 'supervisorB']) {
      await request(app.url).get('/api/v1/backoffice/settings').auth(tokens[who], { type: 'bearer' }).expect(403);
      await request(app.url).put('/api/v1/backoffice/settings').auth(tokens[who], { type: 'bearer' }).send(body).expect(403);
      await request(app.url).get('/backoffice/settings').auth(tokens[who], { type: 'bearer' }).set('Accept', 'text/html').expect(403);
    }
    expect(await settingsOf(a.id)).toEqual([]);
    const saved = await request(app.url).put('/api/v1/backoffice/settings').auth(tokens.adminA, { type: 'bearer' }).send(body).expect(200);
    expect(saved.body).toMatchObject({
      editableFields: ['phone'],
      paymentMethods: ['bank_transfer'],
      answerDeadlines: expect.arrayContaining([{ kind: 'data_change', defaultDays: 15, days: 9 }]),
    });
    expect(await settingsOf(a.id)).toEqual([{ editable_fields: ['phone'], payment_methods: ['bank_transfer'] }]);
    // Company B's admin sees B's defaults, never A's settings, and changes nothing of A's.
    const theirs = await request(app.url).get('/api/v1/backoffice/settings').auth(tokens.adminB, { type: 'bearer' }).expect(200);
    expect(theirs.body.paymentMethods).toEqual(['postal_order', 'bank_transfer', 'direct_debit']);
    expect(theirs.body.answerDeadlines).toContainEqual({ kind: 'data_change', defaultDays: 15, days: null });
    await request(app.url)
      .put('/api/v1/backoffice/settings')
      .auth(tokens.adminB, { type: 'bearer' })
      .send({ ...body, editableFields: [] })
      .expect(200);
    expect(await settingsOf(a.id)).toEqual([{ editable_fields: ['phone'], payment_methods: ['bank_transfer'] }]);
    const deadlines = await dataSource.query(
      `SELECT company_id, answer_days FROM request_answer_deadlines WHERE company_id = ANY($1::int[]) ORDER BY company_id`,
      [[a.id, b.id]],
    );
    expect(deadlines).toEqual([
      { company_id: a.id, answer_days: 9 },
      { company_id: b.id, answer_days: 9 },
    ]);
  });

  it('never lets a customer session reach a back-office page or endpoint', async () => {
    const sessions = app.app.get(SessionService);
    const customerToken = await sessions.issueApiToken({
      kind: 'customer',
      companyId: a.id,
      customerId: 1,
      name: 'Ügyfél',
      code: 'SU0001',
    });
    const api: Array<[string, string]> = [
      ['get', '/api/v1/backoffice/me'],
      ['get', '/api/v1/backoffice/clerks'],
      ['get', `/api/v1/backoffice/clerks/${clerkA.id}`],
      ['post', '/api/v1/backoffice/clerks'],
      ['post', `/api/v1/backoffice/clerks/${clerkA.id}/totp-reset`],
      ['post', `/api/v1/backoffice/clerks/${clerkA.id}/deactivate`],
      ['post', `/api/v1/backoffice/clerks/${clerkA.id}/reactivate`],
      ['post', `/api/v1/backoffice/clerks/${clerkA.id}/role`],
      ['get', '/api/v1/backoffice/security-events'],
      ['get', '/api/v1/backoffice/security-events/1'],
      ['post', '/api/v1/backoffice/totp/enrolment'],
      ['post', '/api/v1/backoffice/totp/enrolment/confirm'],
      ['post', '/api/v1/backoffice/auth/logout'],
      ['get', '/api/v1/backoffice/payments'],
      ['get', '/api/v1/backoffice/payments/1'],
      ['post', '/api/v1/backoffice/payments/1/allocations'],
      ['get', '/api/v1/backoffice/requests'],
      ['get', '/api/v1/backoffice/requests/1'],
      ['post', '/api/v1/backoffice/requests/1/approve'],
      ['post', '/api/v1/backoffice/requests/bulk-approve'],
      ['get', '/api/v1/backoffice/stalled'],
      ['post', '/api/v1/backoffice/stalled/outbox/1/resend'],
      ['get', '/api/v1/backoffice/customers?q=SU'],
      ['get', '/api/v1/backoffice/customers/1'],
      ['get', '/api/v1/backoffice/base-rates'],
      ['post', '/api/v1/backoffice/base-rates'],
      ['get', '/api/v1/backoffice/reminder-runs'],
      ['get', '/api/v1/backoffice/emails/failed'],
      ['post', '/api/v1/backoffice/emails/1/resend'],
      ['get', '/api/v1/backoffice/messages'],
      ['get', '/api/v1/backoffice/messages/segment-size'],
      ['post', '/api/v1/backoffice/messages'],
    ];
    for (const [method, path] of api) {
      const response = await (method === 'get' ? request(app.url).get(path) : request(app.url).post(path).send({}))
        .auth(customerToken, { type: 'bearer' })
        .set('Accept', 'application/json');
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
      expect(JSON.stringify(response.body)).not.toContain(clerkA.email);
    }
    // The pages, asked by a browser-like client with a customer session.
    const cookieToken = await sessions.issueApiToken({ kind: 'customer', companyId: a.id, customerId: 1, name: 'Ügyfél', code: 'SU0001' });
    for (const path of PAGES) {
      const response = await request(app.url).get(path).auth(cookieToken, { type: 'bearer' }).set('Accept', 'text/html');
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
      expect(response.text).not.toContain(clerkA.email);
    }
    for (const path of PAGE_POSTS) {
      const response = await request(app.url)
        .post(path)
        .auth(cookieToken, { type: 'bearer' })
        .type('form')
        .send({ code: '123456' })
        .set('Accept', 'text/html');
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
    }
  });

  it('sends anonymous visitors to the login page and refuses anonymous API calls', async () => {
    for (const path of PAGES) {
      const response = await request(app.url).get(path).set('Accept', 'text/html');
      expect({ path, status: response.status, location: response.headers.location }).toEqual({
        path,
        status: 303,
        location: '/backoffice/login',
      });
    }
    await request(app.url).get('/api/v1/backoffice/clerks').expect(401);
    await request(app.url).get('/api/v1/backoffice/security-events').expect(401);
    await request(app.url).get('/api/v1/backoffice/requests').expect(401);
    await request(app.url).get('/api/v1/backoffice/stalled').expect(401);
    await request(app.url).post('/api/v1/backoffice/stalled/outbox/1/resend').expect(401);
    await request(app.url).get('/api/v1/backoffice/customers?q=SU').expect(401);
    await request(app.url).post('/api/v1/backoffice/base-rates').send({ validFrom: '2099-01-01', rate: 1 }).expect(401);
    await request(app.url).get('/api/v1/backoffice/reminder-runs').expect(401);
    await request(app.url).get('/api/v1/backoffice/messages').expect(401);
    await request(app.url).post('/api/v1/backoffice/messages').send({ subject: 'x', body: 'x' }).expect(401);
  });

  it("shows supervisors and admins the own company's stalled work only, and refuses clerks", async () => {
    const [row] = await dataSource.query(
      `INSERT INTO outbox (company_id, queue, job_name, payload, created_at, relayed_at)
       VALUES ($1, 'integration', 'export-reading', '{"readingId": 1}', now() - interval '1 hour', now() - interval '1 hour') RETURNING id`,
      [b.id],
    );
    const outboxId = Number(row.id);
    for (const who of ['supervisorA', 'adminA']) {
      const own = await request(app.url)
        .get('/api/v1/backoffice/stalled?olderThanMinutes=5')
        .auth(tokens[who], { type: 'bearer' })
        .expect(200);
      expect(own.body.outbox.map((item: { id: number }) => item.id)).not.toContain(outboxId);
      await request(app.url).post(`/api/v1/backoffice/stalled/outbox/${outboxId}/resend`).auth(tokens[who], { type: 'bearer' }).expect(404);
    }
    const theirs = await request(app.url)
      .get('/api/v1/backoffice/stalled?olderThanMinutes=5')
      .auth(tokens.supervisorB, { type: 'bearer' })
      .expect(200);
    expect(theirs.body.outbox.map((item: { id: number }) => item.id)).toContain(outboxId);
    await request(app.url).get('/api/v1/backoffice/stalled').auth(tokens.clerkA, { type: 'bearer' }).expect(403);
    await request(app.url).post(`/api/v1/backoffice/stalled/outbox/${outboxId}/resend`).auth(tokens.clerkA, { type: 'bearer' }).expect(403);
    await request(app.url).get('/api/v1/backoffice/stalled?olderThanMinutes=-1').auth(tokens.supervisorA, { type: 'bearer' }).expect(400);
  });
});
