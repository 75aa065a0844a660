import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestCompany, openTestDataSource } from '../support/database';
import { createTestAccount, createTestCustomer } from '../support/factories';
import { RunningApp, startTestApp } from '../support/http-app';

const PASSWORD = 'Szentes-Fűtés-2024';
/** Another client, seen through the proxy header; both apps trust it from loopback (TRUSTED_PROXIES). */
const OTHER_IP = '10.77.0.1';

/**
 * The per-IP limits hold for the whole service, not per process: two app instances
 * share the counters in Redis. The requests come from 127.0.0.1 (no proxy header),
 * and this file's Redis prefix is its own, so no other test counts against it.
 */
describe('per-IP throttling across two app instances', () => {
  let dataSource: DataSource;
  let instances: RunningApp[];
  let companyId: number;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    instances = [
      await startTestApp({ env: { TRUSTED_PROXIES: 'loopback' } }),
      await startTestApp({ env: { TRUSTED_PROXIES: 'loopback' } }),
    ];
    companyId = await createTestCompany(dataSource, 'Korlát Zrt');
  });

  afterAll(async () => {
    await Promise.all((instances ?? []).map((instance) => instance.close()));
    await dataSource?.destroy();
  });

  /** The instance the `attempt`-th request goes to: each in turn. */
  const instance = (attempt: number) => instances[attempt % instances.length].url;

  it('locks an IP out of login after 20 failures spread over both instances, whatever the accounts tried', async () => {
    const customer = await createTestCustomer(dataSource, companyId, 'Korlátozott Ügyfél');
    await createTestAccount(dataSource, companyId, customer.id, `korlat-${process.pid}@example.hu`, PASSWORD);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const answer = await request(instance(attempt))
        .post('/api/v1/auth/login')
        .send({ companyId, identifier: `ISMERETLEN${attempt}`, password: 'wrong-password' });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([...Array<number>(19).fill(401), 429]);
    for (const url of instances.map((each) => each.url)) {
      const locked = await request(url).post('/api/v1/auth/login').send({ companyId, identifier: customer.code, password: PASSWORD });
      expect(locked.status).toBe(429);
      expect(locked.body.retryAfterSeconds).toBeGreaterThan(0);
    }
    const elsewhere = await request(instance(1))
      .post('/api/v1/auth/login')
      .set('X-Forwarded-For', OTHER_IP)
      .send({ companyId, identifier: customer.code, password: PASSWORD });
    expect(elsewhere.status).toBe(200);
  });

  it('allows 30 password-reset requests an hour per IP, counted over both instances', async () => {
    const forgot = (url: string, identifier: string) => request(url).post('/api/v1/auth/password/forgot').send({ companyId, identifier });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 31; attempt += 1) statuses.push((await forgot(instance(attempt), `KERES${attempt}`)).status);
    expect(statuses).toEqual([...Array<number>(30).fill(202), 429]);
    expect((await forgot(instance(0), 'KERES-UJ')).status).toBe(429);
    expect((await forgot(instance(1), 'KERES-UJ').set('X-Forwarded-For', OTHER_IP)).status).toBe(202);
  });
});
