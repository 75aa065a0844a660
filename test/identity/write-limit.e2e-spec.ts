import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestCompany, openTestDataSource } from '../support/database';
import { createTestCustomer } from '../support/factories';
import { loginTestCustomer } from '../support/customer-session';
import { RunningApp, startTestApp } from '../support/http-app';

const LIMIT = 3;

describe('the per-principal write limit', () => {
  let dataSource: DataSource;
  let app: RunningApp;
  let companyId: number;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    app = await startTestApp({ env: { WRITE_LIMIT_PER_MINUTE: String(LIMIT) } });
    companyId = await createTestCompany(dataSource, 'Korlát Zrt');
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
  });

  it('answers 429 with Retry-After once a customer exceeds the limit, across tokens, and only for that customer', async () => {
    const customer = await createTestCustomer(dataSource, companyId);
    const other = await createTestCustomer(dataSource, companyId);
    const first = await loginTestCustomer(app, dataSource, companyId, customer.id);
    const second = await loginTestCustomer(app, dataSource, companyId, customer.id);
    const check = (bearer: string) =>
      request(app.url).post('/api/v1/readings/check').auth(bearer, { type: 'bearer' }).send({ meterId: 999999, value: '1' });

    const statuses: number[] = [];
    for (let attempt = 0; attempt < LIMIT; attempt += 1) statuses.push((await check(attempt % 2 ? second.bearer : first.bearer)).status);
    // No such meter: each check is answered (404), and each counts.
    expect(statuses).toEqual([404, 404, 404]);

    const refused = await check(second.bearer).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.message).toContain('Too many changes');
    await request(app.url)
      .post('/api/v1/readings')
      .auth(first.bearer, { type: 'bearer' })
      .send({ meterId: 999999, value: '1' })
      .expect(429);

    const otherSession = await loginTestCustomer(app, dataSource, companyId, other.id);
    await check(otherSession.bearer).expect(404);
  });

  it('leaves reads alone', async () => {
    const customer = await createTestCustomer(dataSource, companyId);
    const session = await loginTestCustomer(app, dataSource, companyId, customer.id);
    for (let attempt = 0; attempt <= LIMIT + 1; attempt += 1) {
      await request(app.url).get('/api/v1/meters').auth(session.bearer, { type: 'bearer' }).expect(200);
    }
  });
});
