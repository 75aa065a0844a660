import request from 'supertest';
import { DataSource } from 'typeorm';
import { apiClient } from '../support/api-client';
import { createTestClerk, TestClerk, TestCompany } from '../support/clerk-factories';
import { loginTestCustomer, TestCustomerSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createMeterWorld, createReading, createWindow, daysAgo, MeterWorld, waitFor } from './fixtures';

/** The customer's reading API and pages, and the clerk's review API, over HTTP with the worker running. */
describe('meter readings over HTTP (API, pages, back office)', () => {
  let running: RunningApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    running = await startTestApp({ withWorker: true });
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  async function companyOf(world: MeterWorld): Promise<TestCompany> {
    const [row] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [world.companyId])) as Array<{ code: string }>;
    return { id: world.companyId, code: row.code };
  }

  async function clerkToken(clerk: TestClerk): Promise<string> {
    const response = await request(running.url)
      .post('/api/v1/backoffice/auth/login')
      .send({ company: clerk.companyCode, email: clerk.email, password: clerk.password })
      .expect(200);
    return response.body.token as string;
  }

  async function world(decimals = 1) {
    const w = await createMeterWorld(dataSource, { decimals });
    await createReading(dataSource, w.companyId, w.meterId, daysAgo(60), 100);
    await createReading(dataSource, w.companyId, w.meterId, daysAgo(30), 110);
    const customer = await loginTestCustomer(running, dataSource, w.companyId, w.customerId);
    const company = await companyOf(w);
    return { w, customer, company };
  }

  const api = (session: TestCustomerSession | string) => {
    const token = typeof session === 'string' ? session : session.bearer;
    return {
      get: (path: string) => request(running.url).get(path).set('Authorization', `Bearer ${token}`),
      post: (path: string, body: object = {}) => request(running.url).post(path).set('Authorization', `Bearer ${token}`).send(body),
    };
  };

  it('customer submits via the API → clerk claims and approves → the worker applies → history shows a customer reading', async () => {
    // Through the client typed from the OpenAPI document: the document alone is enough to make these calls.
    const { w, customer: session, company } = await world();
    const customer = apiClient(running.url, session.bearer);
    const clerkAccount = await createTestClerk(dataSource, company, 'clerk');
    const login = await apiClient(running.url).POST('/api/v1/backoffice/auth/login', {
      body: { company: clerkAccount.companyCode, email: clerkAccount.email, password: clerkAccount.password },
    });
    expect(login.response.status).toBe(200);
    const clerk = apiClient(running.url, login.data!.token);

    const meters = await customer.GET('/api/v1/meters');
    expect(meters.data!.items).toEqual([
      expect.objectContaining({
        id: w.meterId,
        window: expect.objectContaining({ open: true }),
        lastReading: expect.objectContaining({ value: 110 }),
      }),
    ]);

    const check = await customer.POST('/api/v1/readings/check', { body: { meterId: w.meterId, value: '121,5' } });
    expect(check.data).toMatchObject({ consumption: 11.5, flagged: false });
    expect(await dataSource.query(`SELECT 1 FROM requests WHERE company_id = $1`, [w.companyId])).toHaveLength(0);

    const submitted = await customer.POST('/api/v1/readings', { body: { meterId: w.meterId, value: '121,5' } });
    expect(submitted.response.status).toBe(201);
    expect(submitted.data).toMatchObject({ requestId: expect.any(Number), state: 'submitted' });
    const requestId = submitted.data!.requestId;
    const path = { id: requestId };

    const queue = await clerk.GET('/api/v1/backoffice/requests', { params: { query: { kind: 'meter_reading' } } });
    expect(queue.data!.items).toEqual([
      expect.objectContaining({
        id: requestId,
        details: expect.objectContaining({ value: '121.5' }),
        customer: expect.objectContaining({ id: w.customerId }),
      }),
    ]);
    const claimed = await clerk.POST('/api/v1/backoffice/requests/{id}/claim', { params: { path }, body: { expectedVersion: 1 } });
    expect(claimed.data).toEqual({ requestId, from: 'submitted', to: 'in_review', version: 2 });
    const stale = await clerk.POST('/api/v1/backoffice/requests/{id}/approve', { params: { path }, body: { expectedVersion: 1 } });
    expect([stale.response.status, stale.error?.code]).toEqual([409, 'version_conflict']);
    const approved = await clerk.POST('/api/v1/backoffice/requests/{id}/approve', { params: { path }, body: { expectedVersion: 2 } });
    expect(approved.data?.to).toBe('approved');

    const applied = await waitFor(async () => {
      const { data } = await customer.GET('/api/v1/requests/{id}', { params: { path } });
      return data?.state === 'applied' ? data : undefined;
    });
    expect(applied.timeline.map((e) => e.state)).toEqual(['submitted', 'in_review', 'approved', 'applied']);
    const history = await customer.GET('/api/v1/meters/{id}/readings', { params: { path: { id: w.meterId } } });
    expect(history.data!.items[0]).toMatchObject({ value: 121.5, kind: 'customer', consumption: 11.5 });

    const detail = await clerk.GET('/api/v1/backoffice/requests/{id}', { params: { path } });
    expect(detail.data!.log.map((l) => l.event)).toEqual(['SUBMIT', 'CLAIM', 'APPROVE', 'APPLIED']);
  });

  it('a rejection with its reason is visible to the customer, in the API and on the page', async () => {
    const { w, customer, company } = await world();
    const clerk = await clerkToken(await createTestClerk(dataSource, company, 'clerk'));
    const { body } = await api(customer).post('/api/v1/readings', { meterId: w.meterId, value: '115' }).expect(201);
    await api(clerk).post(`/api/v1/backoffice/requests/${body.requestId}/reject`, { expectedVersion: 1 }).expect(400);
    await api(clerk)
      .post(`/api/v1/backoffice/requests/${body.requestId}/reject`, { expectedVersion: 1, reason: 'A fotó szerint 151' })
      .expect(200);
    const seen = await api(customer).get(`/api/v1/requests/${body.requestId}`).expect(200);
    expect(seen.body.state).toBe('rejected');
    expect(seen.body.timeline.at(-1)).toMatchObject({ state: 'rejected', reason: 'A fotó szerint 151' });
    const page = await request(running.url).get('/readings').set('Cookie', customer.cookie).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('elutasítva: A fotó szerint 151');
  });

  it('two clerks approving at once: one 200, one 409; a stale version is 409 with the current version', async () => {
    const { w, customer, company } = await world();
    const [a, b] = await Promise.all([
      createTestClerk(dataSource, company, 'clerk').then(clerkToken),
      createTestClerk(dataSource, company, 'clerk').then(clerkToken),
    ]);
    const { body } = await api(customer).post('/api/v1/readings', { meterId: w.meterId, value: '118' }).expect(201);
    const results = await Promise.all(
      [a, b].map((token) => api(token).post(`/api/v1/backoffice/requests/${body.requestId}/approve`, { expectedVersion: 1 })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const conflict = results.find((r) => r.status === 409)!;
    expect(conflict.body).toMatchObject({ code: 'version_conflict', expectedVersion: 1 });
    const again = await api(a).post(`/api/v1/backoffice/requests/${body.requestId}/claim`, { expectedVersion: 1 }).expect(409);
    expect(again.body.code).toBe('version_conflict');
  });

  it('refusals: validation names the field, window closed, below last, too many decimals, pending in review', async () => {
    const { w, customer, company } = await world(1);
    const clerk = await clerkToken(await createTestClerk(dataSource, company, 'clerk'));
    const bad = await api(customer).post('/api/v1/readings', { meterId: 'x', value: 5 }).expect(400);
    expect(JSON.stringify(bad.body.message)).toMatch(/meterId/);
    expect((await api(customer).post('/api/v1/readings', { meterId: w.meterId, value: '90' }).expect(400)).body.code).toBe('below_last');
    expect((await api(customer).post('/api/v1/readings', { meterId: w.meterId, value: '120,55' }).expect(400)).body.code).toBe(
      'invalid_value',
    );
    await api(customer).post('/api/v1/readings', { meterId: w.meterId, value: '90', replacement: true }).expect(201);
    const { body } = await api(customer).post('/api/v1/readings', { meterId: w.meterId, value: '120' }).expect(201);
    await api(clerk).post(`/api/v1/backoffice/requests/${body.requestId}/claim`, { expectedVersion: 1 }).expect(200);
    expect((await api(customer).post('/api/v1/readings', { meterId: w.meterId, value: '121' }).expect(409)).body.code).toBe(
      'already_reported',
    );
    // A withdrawal once a clerk has it is refused with the state and event.
    const withdraw = await api(customer).post(`/api/v1/requests/${body.requestId}/withdraw`, { expectedVersion: 2 });
    expect(withdraw.status).toBe(409);

    const closed = await createMeterWorld(dataSource, { window: false });
    await createWindow(dataSource, closed.companyId, null, 5, 10);
    const other = await loginTestCustomer(running, dataSource, closed.companyId, closed.customerId);
    const refused = await api(other).post('/api/v1/readings', { meterId: closed.meterId, value: '1' }).expect(409);
    expect(refused.body).toMatchObject({ code: 'window_closed', nextOpensOn: expect.any(String) });
  });

  it("another customer's meter and request ids are 404; a customer token on the back-office API is refused", async () => {
    const one = await world();
    const two = await world();
    const { body } = await api(one.customer).post('/api/v1/readings', { meterId: one.w.meterId, value: '119' }).expect(201);
    await api(two.customer).get(`/api/v1/meters/${one.w.meterId}/readings`).expect(404);
    await api(two.customer).post('/api/v1/readings', { meterId: one.w.meterId, value: '119' }).expect(404);
    await api(two.customer).get(`/api/v1/requests/${body.requestId}`).expect(404);
    await api(two.customer).post(`/api/v1/requests/${body.requestId}/withdraw`, { expectedVersion: 1 }).expect(404);
    await request(running.url).get(`/readings/meters/${one.w.meterId}/history`).set('Cookie', two.customer.cookie).expect(404);
    await request(running.url).get(`/readings?servicePoint=${one.w.servicePointId}`).set('Cookie', two.customer.cookie).expect(404);
    for (const path of ['/api/v1/backoffice/requests', `/api/v1/backoffice/requests/${body.requestId}`]) {
      expect([403, 404]).toContain((await api(one.customer).get(path)).status);
    }
    expect([403, 404]).toContain(
      (await api(one.customer).post(`/api/v1/backoffice/requests/${body.requestId}/approve`, { expectedVersion: 1 })).status,
    );
    // A clerk of another company does not see it either.
    const otherClerk = await clerkToken(await createTestClerk(dataSource, two.company, 'clerk'));
    await api(otherClerk).get(`/api/v1/backoffice/requests/${body.requestId}`).expect(404);
    await api(otherClerk).post(`/api/v1/backoffice/requests/${body.requestId}/approve`, { expectedVersion: 1 }).expect(404);
    // The customer withdraws their own unreviewed reading.
    await api(one.customer).post(`/api/v1/requests/${body.requestId}/withdraw`, { expectedVersion: 1 }).expect(200);
  });

  it('the JSON API is in the OpenAPI document with bearer auth; the pages are not', async () => {
    const { body } = await request(running.url).get('/api/docs/openapi.json').expect(200);
    const paths = Object.keys(body.paths as Record<string, unknown>);
    for (const path of [
      '/api/v1/meters',
      '/api/v1/meters/{id}/readings',
      '/api/v1/readings/check',
      '/api/v1/readings',
      '/api/v1/requests/{id}',
      '/api/v1/requests/{id}/withdraw',
      '/api/v1/backoffice/requests',
      '/api/v1/backoffice/requests/bulk-approve',
      '/api/v1/backoffice/requests/{id}/approve',
      '/api/v1/backoffice/requests/{id}/reject',
      '/api/v1/backoffice/requests/{id}/retry',
    ]) {
      expect(paths).toContain(path);
    }
    expect(paths.some((path) => path.startsWith('/readings') || path.startsWith('/backoffice/'))).toBe(false);
    expect(body.paths['/api/v1/readings'].post.security).toEqual([{ bearer: [] }]);
    expect(Object.keys(body.paths['/api/v1/readings'].post.responses)).toEqual(expect.arrayContaining(['201', '400', '404', '409']));
  });

  it('pages: anonymous → /login; the form, the confirmation step, sending; POST without _csrf is 403; history renders', async () => {
    const { w, customer } = await world();
    const anonymous = await request(running.url).get('/readings').set('Accept', 'text/html');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login/);

    const page = await request(running.url).get('/readings').set('Cookie', customer.cookie).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('Mérőóraállás bejelentése');
    expect(page.text).toContain('Melegvíz óra');
    expect(page.text).toContain('Normál leolvasás');
    expect(page.text).toContain('110 m³');

    await request(running.url)
      .post('/readings')
      .set('Cookie', customer.cookie)
      .type('form')
      .send({ meterId: w.meterId, value: '125' })
      .expect(403);

    const bad = await request(running.url)
      .post('/readings')
      .set('Cookie', customer.cookie)
      .type('form')
      .send({ _csrf: customer.csrfToken, meterId: w.meterId, value: '12a' })
      .expect(400);
    expect(bad.text).toContain('nem negatív szám');

    const confirm = await request(running.url)
      .post('/readings')
      .set('Cookie', customer.cookie)
      .type('form')
      .send({ _csrf: customer.csrfToken, meterId: w.meterId, value: '125' })
      .expect(200);
    expect(confirm.text).toContain('15 m³ fogyasztást');
    expect(await dataSource.query(`SELECT 1 FROM requests WHERE company_id = $1`, [w.companyId])).toHaveLength(0);

    const sent = await request(running.url)
      .post('/readings')
      .set('Cookie', customer.cookie)
      .type('form')
      .send({ _csrf: customer.csrfToken, meterId: w.meterId, value: '125', confirm: '1' })
      .expect(303);
    const after = await request(running.url)
      .get(sent.headers.location as string)
      .set('Cookie', customer.cookie)
      .expect(200);
    expect(after.text).toContain('beküldve');

    const history = await request(running.url).get(`/readings/meters/${w.meterId}/history`).set('Cookie', customer.cookie).expect(200);
    expect(history.text).toContain('Korábbi leolvasások');
    expect(history.text).toContain('Fogyasztás');
    const chart = await request(running.url).get(`/readings/meters/${w.meterId}/chart.svg`).set('Cookie', customer.cookie).expect(200);
    expect(chart.headers['content-type']).toMatch(/image\/svg\+xml/);
    expect(chart.body.toString()).toContain('<rect');
  });
});
