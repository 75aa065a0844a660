import request from 'supertest';
import { DataSource } from 'typeorm';
import { openTestDataSource, createTestCompany } from '../support/database';
import { createTestCustomer, createTestInvoice } from '../support/factories';
import { RunningApp, startTestApp } from '../support/http-app';
import { loginTestCustomer } from '../support/customer-session';
import { linkIn } from '../support/mail';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';

const IP = `10.3.${process.pid % 250}.1`;

describe('customer identity (API)', () => {
  let dataSource: DataSource;
  let mail: SmtpCatcher;
  let running: RunningApp;
  let companyId: number;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    mail = new SmtpCatcher();
    const port = await mail.start();
    // The tests name their client addresses in X-Forwarded-For, as a proxy in front would.
    running = await startTestApp({ withWorker: true, env: { SMTP_URL: `smtp://127.0.0.1:${port}`, TRUSTED_PROXIES: 'loopback' } });
    companyId = await createTestCompany(dataSource, 'Azonosítás Zrt');
  });

  afterAll(async () => {
    await running?.close();
    await mail?.stop();
    await dataSource?.destroy();
  });

  const api = () => request(running.url);

  async function registerAndVerify(email: string) {
    const customer = await createTestCustomer(dataSource, companyId, 'Minta Ügyfél');
    const invoice = await createTestInvoice(dataSource, companyId, customer.id);
    const answer = await api()
      .post('/api/v1/auth/register')
      .set('X-Forwarded-For', IP)
      .send({ companyId, customerCode: customer.code, invoiceNumber: invoice.number, amount: '38 837', email });
    expect(answer.status).toBe(202);
    const link = linkIn(await mail.waitForMail({ to: email }));
    const token = new URL(link).searchParams.get('token') as string;
    const verified = await api().post('/api/v1/auth/register/verify').send({ token, password: 'Szentes-Fűtés-2024' });
    expect(verified.status).toBe(204);
    return { customer, invoice, token };
  }

  it('registers, verifies once, logs in by code and by e-mail, and /me shows only the own data', async () => {
    const { customer, token } = await registerAndVerify('elso@example.hu');
    const reuse = await api().post('/api/v1/auth/register/verify').send({ token, password: 'Szentes-Fűtés-2025' });
    expect(reuse.status).toBe(400);
    const byCode = await api().post('/api/v1/auth/login').send({ companyId, identifier: customer.code, password: 'Szentes-Fűtés-2024' });
    expect(byCode.status).toBe(200);
    const byEmail = await api()
      .post('/api/v1/auth/login')
      .send({ companyId, identifier: 'ELSO@example.hu', password: 'Szentes-Fűtés-2024' });
    expect(byEmail.status).toBe(200);
    const me = await api().get('/api/v1/me').set('Authorization', `Bearer ${byCode.body.token}`);
    expect(me.body).toMatchObject({ name: 'Minta Ügyfél', code: customer.code, company: { id: companyId } });
    await api().post('/api/v1/auth/logout').set('Authorization', `Bearer ${byCode.body.token}`).expect(204);
    await api().get('/api/v1/me').set('Authorization', `Bearer ${byCode.body.token}`).expect(401);
  });

  it('answers every wrong combination exactly like a match, and mails an existing customer instead', async () => {
    const customer = await createTestCustomer(dataSource, companyId);
    const other = await createTestCustomer(dataSource, companyId);
    const invoice = await createTestInvoice(dataSource, companyId, customer.id);
    const old = await createTestInvoice(dataSource, companyId, customer.id, { daysAgo: 400 });
    const othersInvoice = await createTestInvoice(dataSource, companyId, other.id);
    const attempts = [
      { customerCode: customer.code, invoiceNumber: 'NOPE', amount: '38837' },
      { customerCode: customer.code, invoiceNumber: othersInvoice.number, amount: '38837' },
      { customerCode: customer.code, invoiceNumber: old.number, amount: '38837' },
      { customerCode: customer.code, invoiceNumber: invoice.number, amount: '38838' },
      { customerCode: customer.code, invoiceNumber: invoice.number, amount: '38837', companyId: 999999 },
    ];
    const bodies = [];
    for (const [index, attempt] of attempts.entries()) {
      const answer = await api()
        .post('/api/v1/auth/register')
        .set('X-Forwarded-For', `${IP}${index}`)
        .send({ companyId, email: `rossz${index}@example.hu`, ...attempt });
      expect(answer.status).toBe(202);
      bodies.push(answer.body);
    }
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    const tokens: unknown[] = await dataSource.query(`SELECT 1 FROM account_tokens WHERE company_id = $1 AND customer_id = $2`, [
      companyId,
      customer.id,
    ]);
    expect(tokens).toHaveLength(0);

    const { customer: registered, invoice: its } = await registerAndVerify('masodik@example.hu');
    const again = await api()
      .post('/api/v1/auth/register')
      .set('X-Forwarded-For', IP)
      .send({ companyId, customerCode: registered.code, invoiceNumber: its.number, amount: '38837', email: 'harmadik@example.hu' });
    expect(again.body).toEqual(bodies[0]);
    // The notice goes to the account's own address; the typed one gets nothing.
    const notice = await mail.waitForMail({ to: 'masodik@example.hu', subject: /^Ön már regisztrált/ });
    expect(notice.text).toContain('/login');
    expect(mail.messages().filter((message) => message.to.includes('harmadik@example.hu'))).toEqual([]);
  });

  it('refuses bad input naming the field, storing nothing', async () => {
    const answer = await api()
      .post('/api/v1/auth/register')
      .send({
        companyId: 'x',
        customerCode: "'; DROP TABLE customers; --",
        invoiceNumber: 'x'.repeat(41),
        amount: '<script>',
        email: 'nem-email',
      });
    expect(answer.status).toBe(400);
    const text = JSON.stringify(answer.body.message);
    for (const field of ['companyId', 'customerCode', 'invoiceNumber', 'email']) expect(text).toContain(field);
    const extra = await api().post('/api/v1/auth/login').send({ companyId, identifier: 'a', password: 'b', admin: true });
    expect(extra.status).toBe(400);
  });

  it('changes the password ending the other sessions, and deletes the account keeping billing data', async () => {
    const { customer } = await registerAndVerify('harom@example.hu');
    const login = () => api().post('/api/v1/auth/login').send({ companyId, identifier: customer.code, password: 'Szentes-Fűtés-2024' });
    const first = (await login()).body.token as string;
    const second = (await login()).body.token as string;
    await api()
      .post('/api/v1/me/password')
      .set('Authorization', `Bearer ${first}`)
      .send({ currentPassword: 'Szentes-Fűtés-2024', newPassword: 'password' })
      .expect(400);
    await api()
      .post('/api/v1/me/password')
      .set('Authorization', `Bearer ${first}`)
      .send({ currentPassword: 'Szentes-Fűtés-2024', newPassword: 'Új-Jelszó-Csongrád-9' })
      .expect(204);
    await api().get('/api/v1/me').set('Authorization', `Bearer ${first}`).expect(200);
    await api().get('/api/v1/me').set('Authorization', `Bearer ${second}`).expect(401);

    await api().delete('/api/v1/me').set('Authorization', `Bearer ${first}`).send({ password: 'Új-Jelszó-Csongrád-9' }).expect(204);
    await api().get('/api/v1/me').set('Authorization', `Bearer ${first}`).expect(401);
    const left: Array<{ accounts: string; invoices: string; customers: string }> = await dataSource.query(
      `SELECT (SELECT count(*) FROM customer_accounts WHERE company_id = $1 AND customer_id = $2) AS accounts,
              (SELECT count(*) FROM invoices WHERE company_id = $1 AND customer_id = $2) AS invoices,
              (SELECT count(*) FROM customers WHERE company_id = $1 AND id = $2) AS customers`,
      [companyId, customer.id],
    );
    expect(left[0]).toEqual({ accounts: '0', invoices: '1', customers: '1' });
  });

  it('refuses a page form without the CSRF token, and keeps customers out of the back office', async () => {
    const answer = await api()
      .post('/login')
      .type('form')
      .send({ companyId: String(companyId), identifier: 'x', password: 'y' });
    expect(answer.status).toBe(403);

    const customer = await createTestCustomer(dataSource, companyId, 'Kíváncsi Ügyfél');
    const session = await loginTestCustomer(running, dataSource, companyId, customer.id);
    await api().get('/api/v1/meters').set('Authorization', `Bearer ${session.bearer}`).expect(200);
    for (const path of ['/api/v1/backoffice/me', '/api/v1/backoffice/requests', '/api/v1/backoffice/clerks']) {
      expect([path, (await api().get(path).set('Authorization', `Bearer ${session.bearer}`)).status]).toEqual([path, 403]);
    }
    for (const path of ['/backoffice', '/backoffice/queue', '/backoffice/clerks']) {
      const page = await api().get(path).set('Cookie', session.cookie).set('Accept', 'text/html');
      expect([path, page.status]).toEqual([path, 403]);
    }
    const approve = await api()
      .post('/api/v1/backoffice/requests/bulk-approve')
      .set('Authorization', `Bearer ${session.bearer}`)
      .send({ items: [] });
    expect(approve.status).toBe(403);
  });

  it('locks an account after repeated failures, across two app instances', async () => {
    const { customer } = await registerAndVerify('negy@example.hu');
    const other = await startTestApp({ env: { TRUSTED_PROXIES: 'loopback' } });
    try {
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 6; attempt += 1) {
        const target = attempt % 2 === 0 ? running.url : other.url;
        const answer = await request(target)
          .post('/api/v1/auth/login')
          .set('X-Forwarded-For', `10.9.${attempt}.1`)
          .send({ companyId, identifier: customer.code, password: 'wrong-password' });
        statuses.push(answer.status);
      }
      expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
      expect(statuses[4]).toBe(429);
      const correct = await request(other.url)
        .post('/api/v1/auth/login')
        .send({ companyId, identifier: customer.code, password: 'Szentes-Fűtés-2024' });
      expect(correct.status).toBe(429);
      expect(correct.body.message).toMatch(/minutes/);
    } finally {
      await other.close();
    }
  });
});
