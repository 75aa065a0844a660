import { createHash } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestClerk, TestClerk, TestCompany } from '../support/clerk-factories';
import { csrfFieldIn, loginTestCustomer, TestCustomerSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createCustomer, createMeterWorld, createServicePoint, MeterWorld, waitFor } from '../metering/fixtures';

/** Ügyféladatok end to end: data changes and e-invoice consent as requests, with the worker applying them. */
describe('customer data changes and e-invoice consent over HTTP', () => {
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

  async function clerkToken(clerk: TestClerk): Promise<string> {
    const response = await request(running.url)
      .post('/api/v1/backoffice/auth/login')
      .send({ company: clerk.companyCode, email: clerk.email, password: clerk.password })
      .expect(200);
    return response.body.token as string;
  }

  async function world() {
    const w: MeterWorld = await createMeterWorld(dataSource);
    const [row] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [w.companyId])) as Array<{ code: string }>;
    const company: TestCompany = { id: w.companyId, code: row.code };
    const customer = await loginTestCustomer(running, dataSource, w.companyId, w.customerId);
    const clerk = await clerkToken(await createTestClerk(dataSource, company, 'clerk'));
    return { w, company, customer, clerk };
  }

  const api = (session: TestCustomerSession | string) => {
    const token = typeof session === 'string' ? session : session.bearer;
    return {
      get: (path: string) => request(running.url).get(path).set('Authorization', `Bearer ${token}`),
      post: (path: string, body: object = {}) => request(running.url).post(path).set('Authorization', `Bearer ${token}`).send(body),
    };
  };

  const customerRow = async (w: MeterWorld) =>
    (
      (await dataSource.query(`SELECT phone, postcode, town, address, email, payment_method FROM customers WHERE id = $1`, [
        w.customerId,
      ])) as Array<Record<string, string | null>>
    )[0];

  const exports = async (requestId: number) =>
    (await dataSource.query(
      `SELECT payload FROM outbox WHERE job_name = 'export-customer-change' AND (payload->>'requestId')::bigint = $1`,
      [requestId],
    )) as Array<{ payload: { requestId: number; kind: string } }>;

  /** The integration feed's item of an applied request, once the worker has run its export job. */
  const feedItem = (companyId: number, requestId: number) =>
    waitFor(async () => {
      const [row] = (await dataSource.query(`SELECT type, payload FROM integration_feed WHERE company_id = $1 AND source_key = $2`, [
        companyId,
        `request:${requestId}`,
      ])) as Array<{ type: string; payload: Record<string, unknown> }>;
      return row;
    });

  it('submit → the clerk sees the diff and approves → the worker applies it and feeds it to the back office', async () => {
    const { w, customer, clerk } = await world();
    const before = await api(customer).get('/api/v1/profile').expect(200);
    expect(before.body).toMatchObject({ data: { postcode: '1111', town: 'Budapest' }, editableFields: expect.arrayContaining(['phone']) });

    const submitted = await api(customer)
      .post('/api/v1/profile/data-changes', { phone: '06 30 123 4567', postcode: '6720', town: 'Szeged', address: 'Kárász utca 1.' })
      .expect(201);
    expect(submitted.body).toMatchObject({ status: 'submitted', requestId: expect.any(Number), replacedRequestId: null });
    const requestId = submitted.body.requestId as number;

    const queue = await api(clerk).get('/api/v1/backoffice/requests').expect(200);
    const row = queue.body.items.find((item: { id: number }) => item.id === requestId);
    expect(row).toMatchObject({
      kind: 'data_change',
      bulkApprovable: false,
      summary: expect.stringContaining('Telefonszám: – → +36 30 123 4567'),
    });
    const dueInDays = (Date.parse(row.answerDueAt) - Date.now()) / 86_400_000;
    expect(dueInDays).toBeGreaterThan(14.9);
    expect(dueInDays).toBeLessThan(15.1);

    // The record moves after submission: the clerk's page says so beside the diff.
    await dataSource.query(`UPDATE customers SET address = 'Fő utca 9.' WHERE id = $1`, [w.customerId]);
    const page = await request(running.url)
      .get(`/backoffice/requests/${requestId}`)
      .set('Authorization', `Bearer ${clerk}`)
      .set('Accept', 'text/html')
      .expect(200);
    expect(page.text).toContain('Kárász utca 1.');
    expect(page.text).toContain('Közben módosult: Cím');
    expect(page.text).toContain('data-change-diff__moved');

    // Not bulk-approvable.
    const bulk = await api(clerk)
      .post('/api/v1/backoffice/requests/bulk-approve', { items: [{ requestId, expectedVersion: 1 }] })
      .expect(200);
    expect(bulk.body.outcomes[0]).toMatchObject({ ok: false, error: { code: 'wrong_kind' } });

    await api(clerk).post(`/api/v1/backoffice/requests/${requestId}/approve`, { expectedVersion: 1 }).expect(200);
    const applied = await waitFor(async () => {
      const r = await api(customer).get(`/api/v1/requests/${requestId}`).expect(200);
      return r.body.state === 'applied' ? r.body : undefined;
    });
    expect(applied).toMatchObject({ kind: 'data_change', answerBy: null, summary: expect.stringContaining('Telefonszám') });
    expect(applied.timeline.map((e: { state: string }) => e.state)).toEqual(['submitted', 'approved', 'applied']);
    expect(await customerRow(w)).toMatchObject({ phone: '+36 30 123 4567', postcode: '6720', town: 'Szeged', address: 'Kárász utca 1.' });
    expect(await exports(requestId)).toEqual([{ payload: { companyId: w.companyId, requestId, kind: 'data_change' } }]);
    expect(await feedItem(w.companyId, requestId)).toEqual({
      type: 'customer_data.changed',
      payload: expect.objectContaining({
        requestId,
        customerId: w.customerId,
        changes: expect.objectContaining({
          town: { from: 'Budapest', to: 'Szeged' },
          phone: expect.objectContaining({ to: '+36 30 123 4567' }),
        }),
      }),
    });

    // A later change is possible once the first is applied.
    await api(customer).post('/api/v1/profile/data-changes', { phone: '' }).expect(201);
  });

  it('refuses bad input with a clear reason per field, and writes nothing', async () => {
    const { w, customer } = await world();
    const bad = await api(customer)
      .post('/api/v1/profile/data-changes', { phone: '123', postcode: '6720', email: 'nem-email', name: 'Más Név' })
      .expect(400);
    expect(bad.body).toMatchObject({ code: 'invalid' });
    expect(bad.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual([
      'email:invalid_email',
      'phone:invalid_phone',
      'name:not_editable',
      'town:postcode_town',
    ]);
    await api(customer).post('/api/v1/profile/data-changes', { postcode: '1111', town: 'Budapest' }).expect(400);
    await api(customer).post('/api/v1/profile/data-changes', { paymentMethod: 'card' }).expect(400);
    expect(await dataSource.query(`SELECT 1 FROM requests WHERE company_id = $1`, [w.companyId])).toHaveLength(0);
  });

  it('a rejection with its reason reaches the customer; a second submission replaces an unreviewed one; withdraw; stale → 409', async () => {
    const { w, customer, clerk } = await world();
    const first = await api(customer).post('/api/v1/profile/data-changes', { address: 'Első utca 1.' }).expect(201);
    const second = await api(customer).post('/api/v1/profile/data-changes', { address: 'Második utca 2.' }).expect(201);
    expect(second.body.replacedRequestId).toBe(first.body.requestId);
    const replaced = await api(customer).get(`/api/v1/requests/${first.body.requestId}`).expect(200);
    expect(replaced.body.state).toBe('withdrawn');

    // The customer withdraws the open one from the page.
    const page = await request(running.url).get('/profile').set('Cookie', customer.cookie).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain(`action="/requests/${second.body.requestId}/withdraw"`);
    expect(page.text).toContain('Válaszunkat legkésőbb');
    const withdrawn = await request(running.url)
      .post(`/requests/${second.body.requestId}/withdraw`)
      .set('Cookie', customer.cookie)
      .type('form')
      .send({ _csrf: customer.csrfToken, expectedVersion: '1', back: '/profile' })
      .expect(303);
    expect(withdrawn.headers.location).toBe(`/profile?withdrawn=${second.body.requestId}`);

    const third = await api(customer).post('/api/v1/profile/data-changes', { address: 'Harmadik utca 3.' }).expect(201);
    const thirdId = third.body.requestId as number;
    await api(clerk).post(`/api/v1/backoffice/requests/${thirdId}/claim`, { expectedVersion: 1 }).expect(200);
    // Once a clerk has it, a new submission waits and the customer can no longer withdraw.
    expect((await api(customer).post('/api/v1/profile/data-changes', { address: 'Negyedik utca 4.' }).expect(409)).body.code).toBe(
      'already_in_review',
    );
    await api(customer).post(`/api/v1/requests/${thirdId}/withdraw`, { expectedVersion: 2 }).expect(409);
    // A decision on a stale version is refused.
    await api(clerk).post(`/api/v1/backoffice/requests/${thirdId}/reject`, { expectedVersion: 1, reason: 'x' }).expect(409);
    await api(clerk)
      .post(`/api/v1/backoffice/requests/${thirdId}/reject`, { expectedVersion: 2, reason: 'Ilyen utca nincs a településen' })
      .expect(200);
    const seen = await api(customer).get(`/api/v1/requests/${thirdId}`).expect(200);
    expect(seen.body.timeline.at(-1)).toMatchObject({ state: 'rejected', reason: 'Ilyen utca nincs a településen' });
    const after = await request(running.url).get('/profile').set('Cookie', customer.cookie).set('Accept', 'text/html').expect(200);
    expect(after.text).toContain('elutasítva: Ilyen utca nincs a településen');
    expect((await customerRow(w)).address).toBe('Fő utca 1.');
  });

  it("another customer's or another company's request is a 404", async () => {
    const { w, customer, clerk } = await world();
    const submitted = await api(customer).post('/api/v1/profile/data-changes', { address: 'Titok utca 1.' }).expect(201);
    const requestId = submitted.body.requestId as number;
    const neighbour = await loginTestCustomer(running, dataSource, w.companyId, await createCustomer(dataSource, w.companyId));
    await api(neighbour).get(`/api/v1/requests/${requestId}`).expect(404);
    await api(neighbour).post(`/api/v1/requests/${requestId}/withdraw`, { expectedVersion: 1 }).expect(404);
    const elsewhere = await world();
    await api(elsewhere.clerk).get(`/api/v1/backoffice/requests/${requestId}`).expect(404);
    await api(elsewhere.clerk).post(`/api/v1/backoffice/requests/${requestId}/approve`, { expectedVersion: 1 }).expect(404);
    await api(clerk).get(`/api/v1/backoffice/requests/${requestId}`).expect(200);
  });

  it('a new e-mail address reaches the clerk only after the link sent to it is opened', async () => {
    const { w, customer, clerk } = await world();
    const sent = await api(customer)
      .post('/api/v1/profile/data-changes', { email: 'Uj.Cim@Example.hu', phone: '+36 1 234 5678' })
      .expect(201);
    expect(sent.body).toEqual({ status: 'confirmation_sent', email: 'uj.cim@example.hu' });
    expect(await dataSource.query(`SELECT 1 FROM requests WHERE company_id = $1`, [w.companyId])).toHaveLength(0);
    const profile = await api(customer).get('/api/v1/profile').expect(200);
    expect(profile.body.pendingEmail).toMatchObject({ email: 'uj.cim@example.hu' });

    const [mail] = (await dataSource.query(
      `SELECT params->'link'->>'url' AS url FROM email_log WHERE company_id = $1 AND recipient = 'uj.cim@example.hu'`,
      [w.companyId],
    )) as Array<{ url: string }>;
    const token = new URL(mail.url).searchParams.get('token')!;
    expect(new URL(mail.url).pathname).toBe('/profile/confirm-email');
    const form = await request(running.url).get(`/profile/confirm-email?token=${token}`).set('Accept', 'text/html').expect(200);
    expect(form.text).toContain('id="confirm-email"');

    // A second change with a new address replaces the first link; the page form confirms the newest one.
    await api(customer).post('/api/v1/profile/data-changes', { email: 'masik@example.hu' }).expect(201);
    await request(running.url).post('/api/v1/profile/email-confirmations').send({ token }).expect(400);
    const [second] = (await dataSource.query(
      `SELECT params->'link'->>'url' AS url FROM email_log WHERE company_id = $1 AND recipient = 'masik@example.hu'`,
      [w.companyId],
    )) as Array<{ url: string }>;
    const anonymousForm = await request(running.url)
      .get(new URL(second.url).pathname + new URL(second.url).search)
      .set('Accept', 'text/html');
    const cookie = anonymousForm.headers['set-cookie'] as unknown as string[];
    const csrf = csrfFieldIn(anonymousForm.text);
    const byPage = await request(running.url)
      .post('/profile/confirm-email')
      .set('Cookie', cookie)
      .type('form')
      .send({ _csrf: csrf, token: new URL(second.url).searchParams.get('token') })
      .expect(200);
    expect(byPage.text).toContain('az e-mail címet megerősítette');
    const [pageRequest] = (await dataSource.query(
      `SELECT id FROM requests WHERE company_id = $1 AND kind = 'data_change' AND payload->'changes'->'email'->>'to' = 'masik@example.hu'`,
      [w.companyId],
    )) as Array<{ id: string }>;
    await api(customer).post(`/api/v1/requests/${pageRequest.id}/withdraw`, { expectedVersion: 1 }).expect(200);

    // The first link again (as if it had not been replaced), for the API's confirmation below.
    await dataSource.query(`UPDATE email_change_confirmations SET used_at = NULL WHERE token_hash = $1`, [
      createHash('sha256').update(token).digest('hex'),
    ]);
    const confirmed = await request(running.url).post('/api/v1/profile/email-confirmations').send({ token }).expect(201);
    expect(confirmed.body).toMatchObject({ status: 'submitted', requestId: expect.any(Number) });
    await request(running.url).post('/api/v1/profile/email-confirmations').send({ token }).expect(400);
    await request(running.url).get(`/profile/confirm-email?token=${token}`).set('Accept', 'text/html').expect(400);

    const detail = await api(clerk).get(`/api/v1/backoffice/requests/${confirmed.body.requestId}`).expect(200);
    expect(detail.body.details).toMatchObject({
      changes: { email: { to: 'uj.cim@example.hu' }, phone: { from: null, to: '+36 1 234 5678' } },
      emailConfirmedAt: expect.any(String),
    });

    // An address another account logs in with is refused at once.
    const other = await createCustomer(dataSource, w.companyId);
    await dataSource.query(`INSERT INTO customer_accounts (company_id, customer_id, login_email) VALUES ($1, $2, 'foglalt@example.hu')`, [
      w.companyId,
      other,
    ]);
    expect((await api(customer).post('/api/v1/profile/data-changes', { email: 'FOGLALT@example.hu' }).expect(409)).body.code).toBe(
      'email_taken',
    );
  });

  it('e-invoice per service point: consent needed, clerk approval, applied with the consent on record and an export row', async () => {
    const { w, customer, clerk } = await world();
    const path = `/api/v1/service-points/${w.servicePointId}/e-invoice`;
    expect((await api(customer).post(path, { optIn: true }).expect(400)).body.code).toBe('consent_required');
    await api(customer).post(path, { optIn: false }).expect(400);
    const form = (body: object) =>
      request(running.url)
        .post(`/profile/e-invoice/${w.servicePointId}`)
        .set('Cookie', customer.cookie)
        .set('Accept', 'text/html')
        .type('form')
        .send({ _csrf: customer.csrfToken, ...body });
    expect((await form({ optIn: '1' }).expect(400)).text).toContain('jelölje be a hozzájárulást');
    expect((await form({ optIn: '1', consent: '1' }).expect(303)).headers.location).toBe('/profile?eInvoice=1#e-invoice');
    // The API's switch replaces the page's while it is unreviewed.
    const submitted = await api(customer).post(path, { optIn: true, consent: true }).expect(201);
    expect(submitted.body.replacedRequestId).toEqual(expect.any(Number));
    const requestId = submitted.body.requestId as number;
    const otherPoint = await createServicePoint(dataSource, w.companyId, await createCustomer(dataSource, w.companyId));
    await api(customer).post(`/api/v1/service-points/${otherPoint}/e-invoice`, { optIn: true, consent: true }).expect(404);

    const listed = await api(customer).get('/api/v1/service-points').expect(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ id: w.servicePointId, eInvoice: false, eInvoiceRequest: expect.objectContaining({ id: requestId }) }),
    ]);
    await api(clerk).post(`/api/v1/backoffice/requests/${requestId}/approve`, { expectedVersion: 1 }).expect(200);
    await waitFor(async () => {
      const [point] = (await dataSource.query(`SELECT e_invoice FROM service_points WHERE id = $1`, [w.servicePointId])) as Array<{
        e_invoice: boolean;
      }>;
      return point.e_invoice ? true : undefined;
    });
    const consents = (await dataSource.query(
      `SELECT opted_in, consent_text, consented_at FROM e_invoice_consents WHERE company_id = $1 AND request_id = $2`,
      [w.companyId, requestId],
    )) as Array<{ opted_in: boolean; consent_text: string; consented_at: Date }>;
    expect(consents).toEqual([{ opted_in: true, consent_text: expect.stringContaining('Hozzájárulok'), consented_at: expect.any(Date) }]);
    expect(await exports(requestId)).toEqual([{ payload: { companyId: w.companyId, requestId, kind: 'e_invoice' } }]);
    expect(await feedItem(w.companyId, requestId)).toEqual({
      type: 'e_invoice.consent',
      payload: expect.objectContaining({
        requestId,
        servicePointId: w.servicePointId,
        optedIn: true,
        consentText: consents[0].consent_text,
        consentedAt: consents[0].consented_at.toISOString(),
      }),
    });
    const page = await request(running.url).get('/profile').set('Cookie', customer.cookie).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('E-számla: bekapcsolva');
  });

  it("e-invoice: rejected with its reason, withdrawn, a stale decision is 409, another customer's or company's request is 404", async () => {
    const { w, customer, clerk } = await world();
    const path = `/api/v1/service-points/${w.servicePointId}/e-invoice`;
    const first = await api(customer).post(path, { optIn: true, consent: true }).expect(201);
    const firstId = first.body.requestId as number;
    // Another customer of the company, and another company's clerk, find nothing.
    const neighbour = await loginTestCustomer(running, dataSource, w.companyId, await createCustomer(dataSource, w.companyId));
    await api(neighbour).get(`/api/v1/requests/${firstId}`).expect(404);
    await api(neighbour).post(`/api/v1/requests/${firstId}/withdraw`, { expectedVersion: 1 }).expect(404);
    const elsewhere = await world();
    await api(elsewhere.clerk).get(`/api/v1/backoffice/requests/${firstId}`).expect(404);
    await api(elsewhere.clerk).post(`/api/v1/backoffice/requests/${firstId}/reject`, { expectedVersion: 1, reason: 'x' }).expect(404);

    // The customer takes it back before review; a withdrawn request accepts no decision.
    await api(customer).post(`/api/v1/requests/${firstId}/withdraw`, { expectedVersion: 1 }).expect(200);
    expect((await api(customer).get(`/api/v1/requests/${firstId}`).expect(200)).body.state).toBe('withdrawn');
    await api(clerk).post(`/api/v1/backoffice/requests/${firstId}/approve`, { expectedVersion: 2 }).expect(409);

    const second = await api(customer).post(path, { optIn: true, consent: true }).expect(201);
    const secondId = second.body.requestId as number;
    expect(second.body.replacedRequestId).toBeNull();
    await api(clerk).post(`/api/v1/backoffice/requests/${secondId}/claim`, { expectedVersion: 1 }).expect(200);
    await api(clerk).post(`/api/v1/backoffice/requests/${secondId}/reject`, { expectedVersion: 1, reason: 'x' }).expect(409);
    await api(clerk)
      .post(`/api/v1/backoffice/requests/${secondId}/reject`, { expectedVersion: 2, reason: 'Nincs érvényes e-mail címe' })
      .expect(200);
    const seen = await api(customer).get(`/api/v1/requests/${secondId}`).expect(200);
    expect(seen.body).toMatchObject({ kind: 'e_invoice', state: 'rejected', answerBy: null });
    expect(seen.body.timeline.at(-1)).toMatchObject({ state: 'rejected', reason: 'Nincs érvényes e-mail címe' });
    const [point] = (await dataSource.query(`SELECT e_invoice FROM service_points WHERE id = $1`, [w.servicePointId])) as Array<{
      e_invoice: boolean;
    }>;
    expect(point.e_invoice).toBe(false);
    expect(await exports(secondId)).toEqual([]);
    expect(await dataSource.query(`SELECT 1 FROM e_invoice_consents WHERE company_id = $1`, [w.companyId])).toEqual([]);
  });

  it('the queue puts the nearest answer deadline first and marks what is due within two days', async () => {
    const { w, customer, clerk } = await world();
    await dataSource.query(`INSERT INTO request_answer_deadlines (company_id, kind, answer_days) VALUES ($1, 'e_invoice', 1)`, [
      w.companyId,
    ]);
    const change = await api(customer).post('/api/v1/profile/data-changes', { address: 'Deadline utca 1.' }).expect(201);
    const eInvoice = await api(customer)
      .post(`/api/v1/service-points/${w.servicePointId}/e-invoice`, { optIn: true, consent: true })
      .expect(201);
    const queue = await api(clerk).get('/api/v1/backoffice/requests').expect(200);
    expect(queue.body.items.map((item: { id: number; dueSoon: boolean }) => [item.id, item.dueSoon])).toEqual([
      [eInvoice.body.requestId, true],
      [change.body.requestId, false],
    ]);
    const page = await request(running.url)
      .get('/backoffice/queue')
      .set('Authorization', `Bearer ${clerk}`)
      .set('Accept', 'text/html')
      .expect(200);
    expect(page.text.indexOf(`data-request-id="${eInvoice.body.requestId}"`)).toBeLessThan(
      page.text.indexOf(`data-request-id="${change.body.requestId}"`),
    );
    expect(page.text).toContain('queue-row--due-soon');
    expect(page.text).toContain('hamarosan lejár');
  });

  it('the Ügyféladatok page: the form, clear errors, the account links', async () => {
    const anonymous = await request(running.url).get('/profile').set('Accept', 'text/html');
    expect([anonymous.status, anonymous.headers.location]).toEqual([303, '/login?next=%2Fprofile']);
    const { customer } = await world();
    const page = await request(running.url).get('/profile').set('Cookie', customer.cookie).set('Accept', 'text/html').expect(200);
    for (const text of [
      'E-mail cím',
      'Telefonszám',
      'Irányítószám',
      'Település',
      'Fizetési mód',
      'Számlázási név',
      'Módosítások elküldése',
    ]) {
      expect(page.text).toContain(text);
    }
    expect(page.text).toContain('href="/password"');
    expect(page.text).toContain('href="/account/delete"');
    const bad = await request(running.url)
      .post('/profile')
      .set('Cookie', customer.cookie)
      .set('Accept', 'text/html')
      .type('form')
      .send({
        _csrf: customer.csrfToken,
        phone: '12',
        postcode: '1111',
        town: 'Budapest',
        address: 'Fő utca 1.',
        paymentMethod: 'postal_order',
      })
      .expect(400);
    expect(bad.text).toContain('adjon meg egy magyar telefonszámot');
    expect(bad.text).toContain('value="12"');
    const good = await request(running.url)
      .post('/profile')
      .set('Cookie', customer.cookie)
      .type('form')
      .send({ _csrf: customer.csrfToken, phone: '06 30 765 4321', postcode: '1111', town: 'Budapest', address: 'Fő utca 1.' })
      .expect(303);
    expect(good.headers.location).toBe('/profile?sent=1');
  });
});
