import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestClerk, TestCompany } from '../support/clerk-factories';
import { loginTestCustomer, startCookieSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createMeterWorld } from '../metering/fixtures';
import { generateTotpSecret } from '../../src/identity/totp';

/** The admin's settings page (Ügyfélportál beállításai): what customers may change online, payment methods, answer deadlines. */
describe('company settings page (admin)', () => {
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

  async function adminSession(withSecondFactor = true) {
    const world = await createMeterWorld(dataSource);
    const [row] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [world.companyId])) as Array<{ code: string }>;
    const company: TestCompany = { id: world.companyId, code: row.code };
    const admin = await createTestClerk(dataSource, company, 'admin', withSecondFactor ? { totpSecret: generateTotpSecret() } : {});
    const session = await startCookieSession(running, {
      kind: 'clerk',
      companyId: company.id,
      clerkId: admin.id,
      name: 'Admin',
      role: 'admin',
    });
    return { world, session };
  }

  const page = (session: { cookie: string }, path = '/backoffice/settings') =>
    request(running.url).get(path).set('Cookie', session.cookie).set('Accept', 'text/html');
  const save = (session: { cookie: string; csrfToken: string }, form: Record<string, string | string[]>) =>
    request(running.url)
      .post('/backoffice/settings')
      .set('Cookie', session.cookie)
      .set('Accept', 'text/html')
      .type('form')
      .send({ _csrf: session.csrfToken, ...form });

  it('sends an admin without a second factor to enrolment first', async () => {
    const { session } = await adminSession(false);
    expect((await page(session).expect(303)).headers.location).toBe('/backoffice/totp');
  });

  it('shows the defaults, refuses bad input with clear messages and writes nothing, saves the rest in one go', async () => {
    const { world, session } = await adminSession();
    const shown = await page(session).expect(200);
    expect(shown.text).toContain('Ügyfélportál beállításai');
    expect(shown.text).toMatch(/id="field-phone" name="editableFields" type="checkbox" value="phone" checked/);
    expect(shown.text).toMatch(/id="field-name" name="editableFields" type="checkbox" value="name">/);
    expect(shown.text).toMatch(/id="method-card" name="paymentMethods" type="checkbox" value="card">/);
    expect(shown.text).toContain('name="answerDays_data_change"');
    expect(shown.text).toContain('Alapértelmezés: 15 nap (1–365).');

    const refused = await save(session, { editableFields: 'phone', answerDays_data_change: '400', answerDays_e_invoice: '' }).expect(400);
    expect(refused.text).toContain('Legalább egy fizetési módot jelöljön be.');
    expect(refused.text).toContain('Adatváltozás: a válaszhatáridő 1 és 365 közötti egész szám legyen, vagy hagyja üresen.');
    expect(refused.text).toMatch(/name="answerDays_data_change"[^>]*value="400" [^>]*aria-invalid="true"/);
    expect(await dataSource.query(`SELECT 1 FROM profile_settings WHERE company_id = $1`, [world.companyId])).toEqual([]);

    const saved = await save(session, {
      editableFields: ['phone', 'address'],
      paymentMethods: ['bank_transfer', 'card'],
      answerDays_data_change: '3',
      answerDays_e_invoice: '',
      answerDays_meter_reading: '5',
    }).expect(303);
    expect(saved.headers.location).toBe('/backoffice/settings?saved=1');
    const after = await page(session, '/backoffice/settings?saved=1&lang=en').expect(200);
    expect(after.text).toContain('The settings are saved.');
    expect(after.text).toContain('Customer portal settings');
    expect(after.text).toMatch(/id="field-email" name="editableFields" type="checkbox" value="email">/);
    expect(after.text).toMatch(/id="days-data_change" name="answerDays_data_change"[^>]*value="3"/);
    expect(
      await dataSource.query(`SELECT kind, answer_days FROM request_answer_deadlines WHERE company_id = $1 ORDER BY kind`, [
        world.companyId,
      ]),
    ).toEqual([
      { kind: 'data_change', answer_days: 3 },
      { kind: 'meter_reading', answer_days: 5 },
    ]);

    // The customers of the company get the new rules at once; new requests the new deadline.
    const customer = await loginTestCustomer(running, dataSource, world.companyId, world.customerId);
    const api = (path: string) => request(running.url).get(path).set('Authorization', `Bearer ${customer.bearer}`);
    const profile = await api('/api/v1/profile').expect(200);
    expect(profile.body).toMatchObject({ editableFields: ['phone', 'address'], paymentMethods: ['bank_transfer', 'card'] });
    const notEditable = await request(running.url)
      .post('/api/v1/profile/data-changes')
      .set('Authorization', `Bearer ${customer.bearer}`)
      .send({ email: 'uj@example.hu' })
      .expect(400);
    expect(notEditable.body.errors).toEqual([expect.objectContaining({ field: 'email', code: 'not_editable' })]);
    const submitted = await request(running.url)
      .post('/api/v1/profile/data-changes')
      .set('Authorization', `Bearer ${customer.bearer}`)
      .send({ phone: '06 30 123 4567' })
      .expect(201);
    const [deadline] = (await dataSource.query(`SELECT answer_due_at - created_at AS answer_in FROM requests WHERE id = $1`, [
      submitted.body.requestId,
    ])) as Array<{ answer_in: { days: number } }>;
    expect(deadline.answer_in).toMatchObject({ days: 3 });

    // Emptied again, a deadline goes back to the kind's default.
    await save(session, { editableFields: 'phone', paymentMethods: 'card', answerDays_data_change: '' }).expect(303);
    expect(await dataSource.query(`SELECT kind FROM request_answer_deadlines WHERE company_id = $1`, [world.companyId])).toEqual([
      { kind: 'meter_reading' },
    ]);
  });
});
