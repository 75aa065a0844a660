import request from 'supertest';
import { DataSource } from 'typeorm';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { loginTestCustomer, TestCustomerSession } from '../support/customer-session';
import { createMeterWorld, createWindow, MeterWorld } from '../metering/fixtures';
import { todayInHungary } from '../../src/web/format';
import { CustomerNotificationsService } from '../../src/notifications/customer-notifications.service';

describe('iCal feed per customer (secret, revocable URL)', () => {
  let running: RunningApp;
  let dataSource: DataSource;
  let world: MeterWorld;
  let session: TestCustomerSession;

  const pathOf = (url: string) => new URL(url).pathname;
  const create = async () =>
    (await request(running.url).post('/api/v1/calendar-feed').auth(session.bearer, { type: 'bearer' }).expect(201)).body.url as string;

  beforeAll(async () => {
    running = await startTestApp();
    dataSource = await openTestDataSource();
    world = await createMeterWorld(dataSource, { window: false });
    session = await loginTestCustomer(running, dataSource, world.companyId, world.customerId);
    await createWindow(dataSource, world.companyId, null, -2, 5);
    await dataSource.query(
      `INSERT INTO invoices (company_id, customer_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount)
       VALUES ($1, $2, 'SZ-ICAL-1', 'gas', $3::date - 20, $3::date - 20, $3::date + 8, 12500, 12500),
              ($1, $2, 'SZ-ICAL-PAID', 'gas', $3::date - 20, $3::date - 20, $3::date + 9, 9000, 0)`,
      [world.companyId, world.customerId, todayInHungary()],
    );
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  it('serves the reading windows and unpaid due dates as text/calendar to whoever has the URL, and nothing else', async () => {
    const url = await create();
    expect(url).toMatch(/\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    const feed = await request(running.url).get(pathOf(url)).expect(200);
    expect(feed.headers['content-type']).toBe('text/calendar; charset=utf-8');
    const ics = feed.text.replace(/\r\n /g, '');
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(ics).toContain('SUMMARY:Mérőállás-diktálás');
    expect(ics).toContain('SUMMARY:Fizetési határidő: SZ-ICAL-1 (12\u00a0500\u00a0Ft)');
    expect(ics).not.toContain('SZ-ICAL-PAID');
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(2);
    const stored = await dataSource.query(`SELECT token_hash FROM calendar_feeds WHERE customer_id = $1`, [world.customerId]);
    expect(url).not.toContain(stored[0].token_hash);
  });

  it('stops the old URL when a new one is made, and every URL when revoked', async () => {
    const first = await create();
    const second = await create();
    await request(running.url).get(pathOf(first)).expect(404);
    await request(running.url).get(pathOf(second)).expect(200);
    await request(running.url).delete('/api/v1/calendar-feed').auth(session.bearer, { type: 'bearer' }).expect(204);
    await request(running.url).get(pathOf(second)).expect(404);
    await request(running.url).delete('/api/v1/calendar-feed').auth(session.bearer, { type: 'bearer' }).expect(404);
    await request(running.url).get('/calendar/not-a-token.ics').expect(404);
    await request(running.url).post('/api/v1/calendar-feed').expect(401);
  });

  it('stops the URL when the customer deletes their portal account', async () => {
    const url = await create();
    await request(running.url).get(pathOf(url)).expect(200);
    await dataSource.transaction((manager) =>
      running.app.get(CustomerNotificationsService).forgetAccount(manager, { companyId: world.companyId, customerId: world.customerId }),
    );
    await request(running.url).get(pathOf(url)).expect(404);
  });

  it('makes and revokes the URL from the settings page', async () => {
    const made = await request(running.url)
      .post('/notifications/calendar')
      .set('Cookie', session.cookie)
      .type('form')
      .send({ _csrf: session.csrfToken })
      .expect(200);
    const url = /<code class="calendar-url">([^<]+)<\/code>/.exec(made.text)?.[1] ?? '';
    await request(running.url).get(pathOf(url)).expect(200);
    await request(running.url)
      .post('/notifications/calendar/revoke')
      .set('Cookie', session.cookie)
      .type('form')
      .send({ _csrf: session.csrfToken })
      .expect(303);
    await request(running.url).get(pathOf(url)).expect(404);
  });
});
