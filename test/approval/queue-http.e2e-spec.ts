import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestClerk } from '../support/clerk-factories';
import { loginTestCustomer } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createCustomer, createMeter, createMeterWorld, createReading, createServicePoint, daysAgo } from '../metering/fixtures';

/** The back-office work queue and request detail pages and the queue API (clerk bearer token; pages accept it too). */
describe('back-office work queue over HTTP', () => {
  let running: RunningApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    running = await startTestApp();
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  async function setup() {
    const world = await createMeterWorld(dataSource);
    const [row] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [world.companyId])) as Array<{ code: string }>;
    const company = { id: world.companyId, code: row.code };
    const clerk = await createTestClerk(dataSource, company, 'clerk', { name: 'Sor Ügyintéző' });
    const login = await request(running.url)
      .post('/api/v1/backoffice/auth/login')
      .send({ company: clerk.companyCode, email: clerk.email, password: clerk.password })
      .expect(200);
    const token = login.body.token as string;
    // Three customers with a reading each; the third one flagged (a jump).
    const ids: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const customerId = i === 0 ? world.customerId : await createCustomer(dataSource, world.companyId);
      const meterId =
        i === 0
          ? world.meterId
          : await createMeter(dataSource, world.companyId, await createServicePoint(dataSource, world.companyId, customerId));
      await createReading(dataSource, world.companyId, meterId, daysAgo(60), 100);
      await createReading(dataSource, world.companyId, meterId, daysAgo(30), 110);
      const customer = await loginTestCustomer(running, dataSource, world.companyId, customerId);
      const value = i === 2 ? '900' : String(115 + i);
      const { body } = await request(running.url)
        .post('/api/v1/readings')
        .set('Authorization', `Bearer ${customer.bearer}`)
        .send({ meterId, value })
        .expect(201);
      ids.push(body.requestId as number);
    }
    const html = (path: string) => request(running.url).get(path).set('Authorization', `Bearer ${token}`).set('Accept', 'text/html');
    const form = (path: string, body: Record<string, unknown>) =>
      request(running.url).post(path).set('Authorization', `Bearer ${token}`).set('Accept', 'text/html').type('form').send(body);
    return { world, token, ids, html, form };
  }

  it('lists oldest first with filters and keyset pages (API)', async () => {
    const { token, ids } = await setup();
    const auth = { Authorization: `Bearer ${token}` };
    const first = await request(running.url).get('/api/v1/backoffice/requests?limit=2').set(auth).expect(200);
    expect(first.body.items.map((i: { id: number }) => i.id)).toEqual(ids.slice(0, 2));
    const second = await request(running.url).get(`/api/v1/backoffice/requests?limit=2&after=${first.body.next}`).set(auth).expect(200);
    expect(second.body.items.map((i: { id: number }) => i.id)).toEqual([ids[2]]);
    expect(second.body.next).toBeNull();
    const flagged = await request(running.url).get('/api/v1/backoffice/requests?flagged=true').set(auth).expect(200);
    expect(flagged.body.items).toEqual([
      expect.objectContaining({ id: ids[2], flagged: true, hints: [expect.objectContaining({ code: 'jump' })] }),
    ]);
    await request(running.url).get('/api/v1/backoffice/requests?state=approved').set(auth).expect(400);
    await request(running.url).get('/api/v1/backoffice/requests?after=nonsense').set(auth).expect(400);
    const bulk = await request(running.url)
      .post('/api/v1/backoffice/requests/bulk-approve')
      .set(auth)
      .send({ items: ids.map((requestId) => ({ requestId, expectedVersion: 1 })) })
      .expect(200);
    expect(bulk.body.approved).toBe(2);
    expect(bulk.body.outcomes[2]).toMatchObject({ ok: false, error: { code: 'flagged' } });
  });

  it('queue page: rows with customer, meter, value, flags; bulk approval of the selected unflagged ones', async () => {
    const { ids, html, form } = await setup();
    const page = await html('/backoffice/queue').expect(200);
    expect(page.text).toContain('Kijelöltek jóváhagyása');
    expect(page.text).toContain('Teszt Elek');
    expect(page.text).toContain('Ugrás az előző időszakhoz képest');
    expect(page.text).toContain(`value="${ids[0]}:1"`);
    expect(page.text).not.toContain(`value="${ids[2]}:1"`);
    const paged = await html('/backoffice/queue?flagged=no').expect(200);
    expect(paged.text).not.toContain(`data-request-id="${ids[2]}"`);
    const done = await form('/backoffice/queue/bulk-approve', { items: [`${ids[0]}:1`, `${ids[1]}:1`] }).expect(303);
    expect(done.headers.location).toBe('/backoffice/queue?bulk=2&refused=0');
    const after = await html('/backoffice/queue').expect(200);
    expect(after.text).not.toContain(`data-request-id="${ids[0]}"`);
  });

  it('detail page: claim, a stale form says someone else decided, reject needs a reason, log and chart', async () => {
    const { ids, html, form } = await setup();
    const id = ids[2];
    const detail = await html(`/backoffice/requests/${id}`).expect(200);
    expect(detail.text).toContain('Magamhoz veszem');
    expect(detail.text).toContain(`/backoffice/requests/${id}/chart.svg`);
    await form(`/backoffice/requests/${id}/claim`, { expectedVersion: '1' }).expect(303);
    const claimed = await html(`/backoffice/requests/${id}?done=claim`).expect(200);
    expect(claimed.text).toContain('Sor Ügyintéző');
    const stale = await form(`/backoffice/requests/${id}/approve`, { expectedVersion: '1' }).expect(409);
    expect(stale.text).toContain('Közben valaki más döntött');
    const noReason = await form(`/backoffice/requests/${id}/reject`, { expectedVersion: '2', reason: ' ' }).expect(400);
    expect(noReason.text).toContain('adja meg az okát');
    await form(`/backoffice/requests/${id}/comment`, { comment: 'Felhívtam az ügyfelet' }).expect(303);
    await form(`/backoffice/requests/${id}/reject`, { expectedVersion: '2', reason: 'Elírás' }).expect(303);
    const log = await html(`/backoffice/requests/${id}`).expect(200);
    expect(log.text).toContain('Felhívtam az ügyfelet');
    expect(log.text).toContain('REJECT');
    const chart = await request(running.url)
      .get(`/backoffice/requests/${id}/chart.svg`)
      .set('Authorization', log.request.getHeader('Authorization') as string);
    expect(chart.status).toBe(200);
    await html('/backoffice/requests/999999999').expect(404);
  });

  it("detail page explains a hint in the clerk's language from its numbers; an older request without them shows its stored message", async () => {
    const { world, ids, html, token } = await setup();
    // The jump of setup(): 790 m³ in 30 days after 10 m³ in the 30 days before.
    const jump = await html(`/backoffice/requests/${ids[2]}`).expect(200);
    expect(jump.text).toContain('(79,0× annyi, mint az előző időszak napi fogyasztása: napi 26,333 m³ az előző 0,333 m³ helyett)');
    expect(jump.text).not.toContain('the consumption of the previous period');
    const english = await html(`/backoffice/requests/${ids[2]}?lang=en`).expect(200);
    expect(english.text).toContain('(79.0× the daily consumption of the previous period: 26.333 m³ a day instead of 0.333 m³)');

    // Seasonal: 1 m³ a day in this calendar month last year; 3 m³ a day now.
    const customerId = await createCustomer(dataSource, world.companyId);
    const meterId = await createMeter(dataSource, world.companyId, await createServicePoint(dataSource, world.companyId, customerId));
    const today = daysAgo(0);
    const lastYear = new Date(`${Number(today.slice(0, 4)) - 1}-${today.slice(5, 7)}-01T00:00:00Z`);
    const before = new Date(lastYear.getTime() - 30 * 86_400_000);
    await createReading(dataSource, world.companyId, meterId, before.toISOString().slice(0, 10), 100);
    await createReading(dataSource, world.companyId, meterId, lastYear.toISOString().slice(0, 10), 130);
    await createReading(dataSource, world.companyId, meterId, daysAgo(30), 500);
    const customer = await loginTestCustomer(running, dataSource, world.companyId, customerId);
    const { body } = await request(running.url)
      .post('/api/v1/readings')
      .set('Authorization', `Bearer ${customer.bearer}`)
      .send({ meterId, value: '590' })
      .expect(201);
    const api = await request(running.url)
      .get(`/api/v1/backoffice/requests/${body.requestId as number}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    expect(api.body.hints).toEqual([
      { code: 'above_usual', message: '3.0× the usual consumption for this month', ratio: 3, daily: 3, usualDaily: 1 },
    ]);
    const seasonal = await html(`/backoffice/requests/${body.requestId as number}`).expect(200);
    expect(seasonal.text).toContain('A szokásosnál jóval több');
    expect(seasonal.text).toContain('(3,0× annyi, mint az adott hónapban szokásos napi fogyasztás: napi 3 m³ a szokásos 1 m³ helyett)');

    // A request stored before hints kept their numbers.
    await dataSource.query(`UPDATE requests SET payload = jsonb_set(payload, '{hints}', $2::jsonb) WHERE id = $1`, [
      ids[2],
      JSON.stringify([{ code: 'jump', message: '79.0× the consumption of the previous period' }]),
    ]);
    const old = await html(`/backoffice/requests/${ids[2]}`).expect(200);
    expect(old.text).toContain(
      'Ugrás az előző időszakhoz képest <span class="field__hint">(79.0× the consumption of the previous period)</span>',
    );
  });

  it('anonymous page visitors go to the back-office login; a customer gets 403', async () => {
    const anonymous = await request(running.url).get('/backoffice/queue').set('Accept', 'text/html');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toBe('/backoffice/login');
    const world = await createMeterWorld(dataSource);
    const customer = await loginTestCustomer(running, dataSource, world.companyId, world.customerId);
    const page = await request(running.url).get('/backoffice/queue').set('Cookie', customer.cookie).set('Accept', 'text/html');
    expect([403, 404]).toContain(page.status);
  });
});
