import request from 'supertest';
import { DataSource } from 'typeorm';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';
import { createTestCompany, openTestDataSource } from '../support/database';
import { createTestCustomer } from '../support/factories';
import { RunningApp, startTestApp } from '../support/http-app';
import { linkIn } from '../support/mail';
import { csrfFieldIn, loginTestCustomer, TestCustomerSession } from '../support/customer-session';
import { EmailService } from '../../src/notifications/email.service';
import { NOTIFICATION_TOPICS } from '../../src/notifications/notification-preference.entity';

const ALL_ON = Object.fromEntries(NOTIFICATION_TOPICS.map((topic) => [topic, true]));

describe('notification preferences and unsubscribe links (real PostgreSQL, Redis and SMTP catcher)', () => {
  const catcher = new SmtpCatcher();
  let running: RunningApp;
  let dataSource: DataSource;
  let emails: EmailService;
  let companyId: number;
  let customerId: number;
  let session: TestCustomerSession;
  let address: string;

  const api = () => request(running.url);
  const overdueNotice = (to: string) =>
    dataSource.transaction((manager) =>
      emails.queueNotification(manager, {
        companyId,
        template: 'invoice-overdue',
        language: 'hu',
        to,
        params: {
          customerName: 'Kiss Anna',
          invoiceNumber: 'SZ-1',
          dueOn: '2030-01-15',
          openAmount: 4500,
          link: 'https://portal.example/invoices',
        },
        notification: { customerId, topic: 'invoice_overdue' },
      }),
    );

  beforeAll(async () => {
    const smtpPort = await catcher.start();
    running = await startTestApp({ withWorker: true, env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, PUBLIC_URL: 'http://portal.test' } });
    dataSource = await openTestDataSource();
    emails = running.app.get(EmailService);
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
    await catcher.stop();
  });

  beforeEach(async () => {
    companyId = await createTestCompany(dataSource, 'Értesítő Zrt.');
    customerId = (await createTestCustomer(dataSource, companyId, 'Kiss Anna')).id;
    address = `anna-${companyId}@example.test`;
    await dataSource.query(
      `INSERT INTO customer_accounts (company_id, customer_id, login_email, email_verified_at) VALUES ($1, $2, $3, now())`,
      [companyId, customerId, address],
    );
    session = await loginTestCustomer(running, dataSource, companyId, customerId);
  });

  it('reads and sets the switches over the API, refusing unknown topics and non-booleans', async () => {
    const initial = await api().get('/api/v1/notifications/preferences').auth(session.bearer, { type: 'bearer' }).expect(200);
    expect(initial.body).toEqual(ALL_ON);
    const changed = await api()
      .put('/api/v1/notifications/preferences')
      .auth(session.bearer, { type: 'bearer' })
      .send({ invoice_overdue: false, due_date_reminder: false })
      .expect(200);
    expect(changed.body).toEqual({ ...ALL_ON, invoice_overdue: false, due_date_reminder: false });
    await api()
      .put('/api/v1/notifications/preferences')
      .auth(session.bearer, { type: 'bearer' })
      .send({ due_date_reminder: true })
      .expect(200);
    const now = await api().get('/api/v1/notifications/preferences').auth(session.bearer, { type: 'bearer' }).expect(200);
    expect(now.body).toEqual({ ...ALL_ON, invoice_overdue: false });

    const unknown = await api()
      .put('/api/v1/notifications/preferences')
      .auth(session.bearer, { type: 'bearer' })
      .send({ spam: true })
      .expect(400);
    expect(unknown.body.message).toEqual(['unknown topic: spam']);
    const notBoolean = await api()
      .put('/api/v1/notifications/preferences')
      .auth(session.bearer, { type: 'bearer' })
      .send({ invoice_overdue: 'no' })
      .expect(400);
    expect(notBoolean.body.message).toEqual(['invoice_overdue must be true or false']);
    await api().get('/api/v1/notifications/preferences').expect(401);
    await api().put('/api/v1/notifications/preferences').send({ invoice_overdue: true }).expect(401);
  });

  it('shows the switches on the settings page and saves the form: an unticked box is off', async () => {
    const page = await api().get('/notifications/settings').set('Cookie', session.cookie).set('Accept', 'text/html').expect(200);
    expect(page.text).toContain('Értesítési beállítások');
    expect(page.text).toMatch(/id="topic-invoice_overdue" name="invoice_overdue" type="checkbox" checked>/);
    const saved = await api()
      .post('/notifications/settings')
      .set('Cookie', session.cookie)
      .type('form')
      .send({ _csrf: session.csrfToken, invoice_issued: 'on', due_date_reminder: 'on' })
      .expect(303);
    expect(saved.headers.location).toBe('/notifications/settings?saved=1');
    const after = await api().get('/api/v1/notifications/preferences').auth(session.bearer, { type: 'bearer' }).expect(200);
    expect(after.body).toEqual({
      ...Object.fromEntries(NOTIFICATION_TOPICS.map((topic) => [topic, false])),
      invoice_issued: true,
      due_date_reminder: true,
    });
    const again = await api().get('/notifications/settings?saved=1').set('Cookie', session.cookie).set('Accept', 'text/html').expect(200);
    expect(again.text).toContain('Értesítési beállításait elmentettük.');
    expect(again.text).toMatch(/id="topic-invoice_overdue" name="invoice_overdue" type="checkbox">/);
    // Without the session's CSRF token nothing changes.
    await api().post('/notifications/settings').set('Cookie', session.cookie).type('form').send({ invoice_overdue: 'on' }).expect(403);
  });

  it('queues a notification only while its topic is on', async () => {
    await api()
      .put('/api/v1/notifications/preferences')
      .auth(session.bearer, { type: 'bearer' })
      .send({ invoice_overdue: false })
      .expect(200);
    expect(await overdueNotice(address)).toBeNull();
    expect(await dataSource.query(`SELECT id FROM email_log WHERE company_id = $1`, [companyId])).toEqual([]);

    await api()
      .put('/api/v1/notifications/preferences')
      .auth(session.bearer, { type: 'bearer' })
      .send({ invoice_overdue: true })
      .expect(200);
    const emailId = await overdueNotice(address);
    expect(emailId).toEqual(expect.any(Number));
    const [row] = await dataSource.query(`SELECT customer_id::int AS "customerId", topic FROM email_log WHERE id = $1`, [emailId]);
    expect(row).toEqual({ customerId, topic: 'invoice_overdue' });
  });

  it('carries a one-click unsubscribe link and RFC 8058 headers that turn the topic off without a login', async () => {
    await overdueNotice(address);
    const mail = await catcher.waitForMail({ to: address, subject: /^Lejárt fizetési határidő/ });
    const page = linkIn(mail, 'http://portal.test/notifications/unsubscribe/');
    const token = page.split('/').pop() as string;
    expect(mail.html).toContain(`href="http://portal.test/notifications/unsubscribe/${token}"`);
    expect(mail.headers['list-unsubscribe']).toBe(`<http://portal.test/api/v1/notifications/unsubscribe/${token}>`);
    expect(mail.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');

    // The page the link opens asks first: a link scanner fetching it changes nothing.
    const agent = request.agent(running.url);
    const confirm = await agent.get(`/notifications/unsubscribe/${token}`).set('Accept', 'text/html').expect(200);
    expect(confirm.text).toContain('Nem kér több e-mailt erről: Lejárt számla?');
    const preferences = () => api().get('/api/v1/notifications/preferences').auth(session.bearer, { type: 'bearer' });
    expect((await preferences()).body.invoice_overdue).toBe(true);
    const csrf = csrfFieldIn(confirm.text);
    const done = await agent
      .post(`/notifications/unsubscribe/${token}`)
      .type('form')
      .send({ _csrf: csrf })
      .set('Accept', 'text/html')
      .expect(200);
    expect(done.text).toContain('Nem küldünk több e-mailt erről: Lejárt számla.');
    expect((await preferences()).body).toEqual({ ...ALL_ON, invoice_overdue: false });

    // What a mail client does for RFC 8058: a POST with no cookie and no token of ours.
    await api()
      .put('/api/v1/notifications/preferences')
      .auth(session.bearer, { type: 'bearer' })
      .send({ invoice_overdue: true })
      .expect(200);
    const oneClick = await api()
      .post(`/api/v1/notifications/unsubscribe/${token}`)
      .type('form')
      .send('List-Unsubscribe=One-Click')
      .expect(200);
    expect(oneClick.body).toEqual({ topic: 'invoice_overdue', email: false });
    expect((await preferences()).body.invoice_overdue).toBe(false);
  });

  it('refuses forged, altered and other customers’ tokens', async () => {
    await overdueNotice(address);
    const mail = await catcher.waitForMail({ to: address, subject: /^Lejárt fizetési határidő/ });
    const token = linkIn(mail, 'http://portal.test/notifications/unsubscribe/').split('/').pop() as string;
    const [company, , topic, signature] = token.split('.');
    const other = await createTestCustomer(dataSource, companyId, 'Nagy Béla');
    await dataSource.query(`INSERT INTO customer_accounts (company_id, customer_id, login_email) VALUES ($1, $2, $3)`, [
      companyId,
      other.id,
      `bela-${companyId}@example.test`,
    ]);
    for (const forged of [`${company}.${other.id}.${topic}.${signature}`, `${company}.${customerId}.due_date_reminder.${signature}`, 'x']) {
      await api().post(`/api/v1/notifications/unsubscribe/${forged}`).expect(404);
      await api().get(`/notifications/unsubscribe/${forged}`).set('Accept', 'text/html').expect(404);
    }
    const belas = await dataSource.query(`SELECT count(*)::int AS count FROM notification_preferences WHERE customer_id = $1`, [other.id]);
    expect(belas[0].count).toBe(0);
  });
});
