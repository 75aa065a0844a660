import request from 'supertest';
import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { createTestClerk } from '../support/clerk-factories';
import { loginTestCustomer, TestCustomerSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { CustomerRequestsService } from '../../src/approval/customer-requests.service';
import { RequestQueries } from '../../src/approval/request-queries.service';
import { MeterHistory } from '../../src/metering/meter-history.service';
import { MeterQueries } from '../../src/metering/meter-queries.service';
import { READING_KIND, meterSubject } from '../../src/metering/reading-request.kind';
import { ReadingReview } from '../../src/metering/reading-review';
import { createMeter, createMeterWorld, createReading, createWindow, daysAgo, MeterWorld } from './fixtures';

/**
 * The shape of the read side: how many SQL statements a page or a lookup runs
 * (not growing with the number of meters), and that every lookup stays scoped to
 * its company and customer.
 */
describe('metering and request read queries', () => {
  let running: RunningApp;
  let dataSource: DataSource;
  let meters: MeterQueries;
  let requests: RequestQueries;
  let customerRequests: CustomerRequestsService;
  let review: ReadingReview;
  let history: MeterHistory;
  /** The customer's latest reading requests per meter, as the readings page reads them. */
  const requestsByMeter = async (companyId: number, customerId: number, meterIds: number[]) => {
    const bySubject = await customerRequests.latestBySubject(companyId, customerId, READING_KIND, meterIds.map(meterSubject), 'hu');
    return new Map(meterIds.map((id) => [id, bySubject.get(meterSubject(id)) ?? []]));
  };

  beforeAll(async () => {
    running = await startTestApp();
    dataSource = await openTestDataSource();
    meters = running.app.get(MeterQueries);
    requests = running.app.get(RequestQueries);
    customerRequests = running.app.get(CustomerRequestsService);
    review = running.app.get(ReadingReview);
    history = running.app.get(MeterHistory);
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  afterEach(() => jest.restoreAllMocks());

  /**
   * The SQL statements `work` runs, in this process (the test's own pool included: run nothing else meanwhile),
   * counted at node-postgres's client, which both TypeORM's query runners and the prepared statements go through.
   */
  async function statements(work: () => Promise<unknown>): Promise<string[]> {
    const sql: string[] = [];
    const original = Client.prototype.query as (...args: unknown[]) => unknown;
    jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args: unknown[]) {
      const statement = args[0] as string | { text: string };
      sql.push(typeof statement === 'string' ? statement : statement.text);
      return original.apply(this, args);
    } as typeof Client.prototype.query);
    try {
      await work();
    } finally {
      jest.restoreAllMocks();
    }
    return sql;
  }

  /** A customer with `count` meters on one service point, each with two readings and two reading requests. */
  async function customerWithMeters(count: number): Promise<{ w: MeterWorld; meterIds: number[]; session: TestCustomerSession }> {
    const w = await createMeterWorld(dataSource, { decimals: 1 });
    const meterIds = [w.meterId];
    for (let i = 1; i < count; i += 1) meterIds.push(await createMeter(dataSource, w.companyId, w.servicePointId, 1));
    const session = await loginTestCustomer(running, dataSource, w.companyId, w.customerId);
    for (const meterId of meterIds) {
      await createReading(dataSource, w.companyId, meterId, daysAgo(60), 100);
      await createReading(dataSource, w.companyId, meterId, daysAgo(30), 110);
      const first = await request(running.url)
        .post('/api/v1/readings')
        .set('Authorization', `Bearer ${session.bearer}`)
        .send({ meterId, value: '111' })
        .expect(201);
      await request(running.url)
        .post(`/api/v1/requests/${first.body.requestId}/withdraw`)
        .set('Authorization', `Bearer ${session.bearer}`)
        .send({ expectedVersion: 1 })
        .expect(200);
      await request(running.url).post('/api/v1/readings').set('Authorization', `Bearer ${session.bearer}`).send({ meterId, value: '112' });
    }
    return { w, meterIds, session };
  }

  const readingsPage = (session: TestCustomerSession) =>
    request(running.url).get('/readings').set('Cookie', session.cookie).set('Accept', 'text/html').expect(200);

  it('the readings page runs as many statements for five meters as for one, and shows every meter with its requests', async () => {
    const one = await customerWithMeters(1);
    const five = await customerWithMeters(5);
    await readingsPage(one.session);
    await readingsPage(five.session);
    let page = '';
    const forOne = await statements(() => readingsPage(one.session));
    const forFive = await statements(async () => {
      page = (await readingsPage(five.session)).text;
    });
    expect(forFive).toHaveLength(forOne.length);
    // One statement reads every meter's requests, one their timelines.
    expect(forFive.filter((sql) => /\bFROM requests\b/.test(sql))).toHaveLength(1);
    expect(forFive.filter((sql) => /\bFROM request_transitions\b/.test(sql))).toHaveLength(1);
    for (const meterId of five.meterIds) {
      expect(page).toContain(`id="meter-${meterId}"`);
    }
    expect(page.match(/<li data-request-id=/g)).toHaveLength(10);
    expect(page.match(/timeline__step--withdrawn/g)).toHaveLength(5);
  });

  it('lists at most five requests per meter, newest first, each with its own timeline', async () => {
    const { w, meterIds, session } = await customerWithMeters(2);
    const ids: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const pending = await requestsByMeter(w.companyId, w.customerId, [w.meterId]);
      const open = pending.get(w.meterId)!.find((r) => r.state === 'submitted');
      await request(running.url)
        .post(`/api/v1/requests/${open!.id}/withdraw`)
        .set('Authorization', `Bearer ${session.bearer}`)
        .send({ expectedVersion: open!.version })
        .expect(200);
      const next = await request(running.url)
        .post('/api/v1/readings')
        .set('Authorization', `Bearer ${session.bearer}`)
        .send({ meterId: w.meterId, value: `${113 + i}` })
        .expect(201);
      ids.push(next.body.requestId as number);
    }
    const byMeter = await requestsByMeter(w.companyId, w.customerId, [...meterIds, 999_999_999]);
    expect(byMeter.get(w.meterId)!.map((r) => r.id)).toEqual(ids.reverse().slice(0, 5));
    expect(byMeter.get(w.meterId)![0].timeline.map((e) => e.state)).toEqual(['submitted']);
    expect(byMeter.get(w.meterId)![1].timeline.map((e) => e.state)).toEqual(['submitted', 'withdrawn']);
    expect(byMeter.get(meterIds[1])!.map((r) => r.details.value)).toEqual(['112', '111']);
    expect(byMeter.get(999_999_999)).toEqual([]);
    // Another customer (of this company or another) sees none of them.
    const stranger = await createMeterWorld(dataSource);
    expect((await requestsByMeter(w.companyId, stranger.customerId, meterIds)).get(w.meterId)).toEqual([]);
    expect((await requestsByMeter(stranger.companyId, w.customerId, meterIds)).get(w.meterId)).toEqual([]);
  });

  it("meter() is one statement for that meter, equal to its row in meters(); another customer's or company's meter is null", async () => {
    const w = await createMeterWorld(dataSource, { decimals: 2 });
    const second = await createMeter(dataSource, w.companyId, w.servicePointId);
    await createWindow(dataSource, w.companyId, second, 5, 9);
    await createReading(dataSource, w.companyId, second, daysAgo(10), 42.5);
    const all = await meters.meters(w.companyId, w.customerId);
    expect(all.map((m) => m.id)).toEqual([w.meterId, second]);
    let found: unknown;
    const sql = await statements(async () => {
      found = await meters.meter(w.companyId, w.customerId, second);
    });
    expect(sql).toHaveLength(1);
    expect(found).toEqual(all[1]);
    expect(found).toMatchObject({ window: { open: true }, lastReading: { value: 42.5, kind: 'normal' } });

    const other = await createMeterWorld(dataSource);
    expect(await meters.meter(w.companyId, other.customerId, second)).toBeNull();
    expect(await meters.meter(other.companyId, w.customerId, second)).toBeNull();
    expect(await meters.meter(other.companyId, other.customerId, second)).toBeNull();
    expect(await meters.meter(w.companyId, w.customerId, other.meterId)).toBeNull();
    expect(await meters.meter(w.companyId, w.customerId, -1)).toBeNull();
  });

  it("the clerk's chart runs only its two statements, agrees with the request detail, and is scoped to the clerk's company", async () => {
    const w = await createMeterWorld(dataSource, { decimals: 1 });
    await createReading(dataSource, w.companyId, w.meterId, daysAgo(60), 100);
    await createReading(dataSource, w.companyId, w.meterId, daysAgo(30), 110.25);
    const session = await loginTestCustomer(running, dataSource, w.companyId, w.customerId);
    const { body } = await request(running.url)
      .post('/api/v1/readings')
      .set('Authorization', `Bearer ${session.bearer}`)
      .send({ meterId: w.meterId, value: '120' })
      .expect(201);
    const requestId = body.requestId as number;

    const detail = await requests.detail(w.companyId, requestId, 'hu');
    let chart: { unit: string; history: Array<{ consumption: number | null }> } | null = null;
    const sql = await statements(async () => {
      chart = await review.chart(w.companyId, requestId);
    });
    expect(sql).toHaveLength(2);
    expect(chart).toEqual({ unit: 'm3', history: await meters.history(w.companyId, w.customerId, w.meterId) });
    expect(chart!.history.map((h) => h.consumption)).toEqual([10.25, null]);
    expect(detail!.partial).toMatchObject({
      partial: 'metering/reading-request',
      model: { chartSrc: `/backoffice/requests/${requestId}/chart.svg` },
    });
    expect((detail!.partial.model.history as Array<{ consumption: string | null }>).map((h) => h.consumption)).toEqual(['10,25', null]);

    const elsewhere = await createMeterWorld(dataSource);
    expect(await review.chart(elsewhere.companyId, requestId)).toBeNull();
    expect(await review.chart(w.companyId, 999_999_999)).toBeNull();

    const [row] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [elsewhere.companyId])) as Array<{ code: string }>;
    const clerk = await createTestClerk(dataSource, { id: elsewhere.companyId, code: row.code }, 'clerk');
    const login = await request(running.url)
      .post('/api/v1/backoffice/auth/login')
      .send({ company: clerk.companyCode, email: clerk.email, password: clerk.password })
      .expect(200);
    await request(running.url)
      .get(`/backoffice/requests/${requestId}/chart.svg`)
      .set('Authorization', `Bearer ${login.body.token}`)
      .expect(404);
  });

  it("the billable history is the customer's for a customer, the company's for a clerk", async () => {
    const w = await createMeterWorld(dataSource);
    await createReading(dataSource, w.companyId, w.meterId, daysAgo(20), 5);
    await createReading(dataSource, w.companyId, w.meterId, daysAgo(10), 7);
    await dataSource.query(
      `INSERT INTO readings (company_id, meter_id, read_on, value, kind, billable) VALUES ($1, $2, $3, 99, 'estimated', false)`,
      [w.companyId, w.meterId, daysAgo(5)],
    );
    const rows = [
      { readOn: daysAgo(10), value: 7, kind: 'normal', consumption: 2 },
      { readOn: daysAgo(20), value: 5, kind: 'normal', consumption: null },
    ];
    expect(await history.forCustomer(w.companyId, w.customerId, w.meterId)).toEqual(rows);
    expect(await history.forCompany(w.companyId, w.meterId)).toEqual(rows);
    const other = await createMeterWorld(dataSource);
    expect(await history.forCustomer(w.companyId, other.customerId, w.meterId)).toEqual([]);
    expect(await history.forCustomer(other.companyId, w.customerId, w.meterId)).toEqual([]);
    expect(await history.forCompany(other.companyId, w.meterId)).toEqual([]);
  });
});
