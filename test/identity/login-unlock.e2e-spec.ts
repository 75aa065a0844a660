import request from 'supertest';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, createTestClerk } from '../support/clerk-factories';
import { createTestCompany, openTestDataSource } from '../support/database';
import { createTestCustomer } from '../support/factories';
import { csrfFieldIn } from '../support/customer-session';
import { RunningApp, startTestApp } from '../support/http-app';
import { linkIn } from '../support/mail';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';
import { hashPassword } from '../../src/identity/password-hasher';

const PASSWORD = 'Szentes-Fűtés-2024';

describe('a lock an attacker caused does not keep the owner out', () => {
  let dataSource: DataSource;
  let mail: SmtpCatcher;
  let app: RunningApp;
  let companyId: number;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    mail = new SmtpCatcher();
    const port = await mail.start();
    app = await startTestApp({ withWorker: true, env: { SMTP_URL: `smtp://127.0.0.1:${port}` } });
    companyId = await createTestCompany(dataSource, 'Zár Zrt');
  });

  afterAll(async () => {
    await app?.close();
    await mail?.stop();
    await dataSource?.destroy();
  });

  /** A browser on the customer login page: its agent and the form's CSRF token. */
  async function browser(path = '/login') {
    const agent = request.agent(app.url);
    const page = await agent.get(path).set('Accept', 'text/html').expect(200);
    return { agent, csrf: csrfFieldIn(page.text) };
  }

  const pageLogin = (b: { agent: request.Agent; csrf: string }, identifier: string, password: string) =>
    b.agent
      .post('/login')
      .type('form')
      .set('Accept', 'text/html')
      .send({ _csrf: b.csrf, companyId: String(companyId), identifier, password });

  const apiLogin = (identifier: string, password: string) =>
    request(app.url).post('/api/v1/auth/login').send({ companyId, identifier, password });

  it('customer: a remembered browser and an e-mailed unlock link get the owner in, while the attacker stays locked', async () => {
    const customer = await createTestCustomer(dataSource, companyId, 'Zárolt Ügyfél');
    const email = `zarolt-${process.pid}@example.hu`;
    await dataSource.query(
      `INSERT INTO customer_accounts (company_id, customer_id, login_email, password_hash, email_verified_at) VALUES ($1, $2, $3, $4, now())`,
      [companyId, customer.id, email, await hashPassword(PASSWORD)],
    );
    const usual = await browser();
    await pageLogin(usual, customer.code, PASSWORD).expect(303);

    // The attacker holds an invoice (the customer code) and locks it.
    const attempts: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) attempts.push((await apiLogin(customer.code, 'guess')).status);
    expect(attempts.at(-1)).toBe(429);
    await apiLogin(customer.code, PASSWORD).expect(429);

    // The owner's usual browser still gets in with the right password.
    const form = await usual.agent.get('/login').set('Accept', 'text/html').expect(200);
    await pageLogin({ agent: usual.agent, csrf: csrfFieldIn(form.text) }, customer.code, PASSWORD).expect(303);

    // A new browser is refused, is told what to do, and gets in through the e-mailed link.
    const fresh = await browser();
    const refused = await pageLogin(fresh, customer.code, PASSWORD).expect(429);
    expect(refused.text).toContain('action="/login/unlock"');
    const asked = await fresh.agent
      .post('/login/unlock')
      .type('form')
      .send({ _csrf: csrfFieldIn(refused.text), companyId: String(companyId), identifier: customer.code })
      .expect(200);
    expect(asked.text).toContain('feloldó linket');
    const link = linkIn(await mail.waitForMail({ to: email, subject: /^Belépés zárolás ellenére/ }));
    const path = new URL(link).pathname + new URL(link).search;
    const opened = await fresh.agent.get(path).set('Accept', 'text/html').expect(303);
    expect(opened.headers.location).toBe('/login?unlocked=1');
    await fresh.agent.get(path).set('Accept', 'text/html').expect(410);
    await pageLogin(fresh, customer.code, PASSWORD).expect(303);

    // Neither way lifted the attacker's lock.
    await apiLogin(customer.code, PASSWORD).expect(429);
  });

  it('clerk: the remembered browser gets the clerk in while the attacker stays locked', async () => {
    const company = await createClerkTestCompany(dataSource);
    const clerk = await createTestClerk(dataSource, company, 'clerk');
    const clerkLogin = (agent: request.Agent | ReturnType<typeof request>, csrf: string, password: string) =>
      agent
        .post('/backoffice/login')
        .type('form')
        .set('Accept', 'text/html')
        .send({ _csrf: csrf, company: clerk.companyCode, email: clerk.email, password });
    const usual = request.agent(app.url);
    const form = await usual.get('/backoffice/login').set('Accept', 'text/html').expect(200);
    await clerkLogin(usual, csrfFieldIn(form.text), clerk.password).expect(303);
    await usual
      .post('/backoffice/logout')
      .type('form')
      .send({ _csrf: csrfFieldIn((await usual.get('/backoffice').set('Accept', 'text/html')).text) });

    const api = (password: string) =>
      request(app.url).post('/api/v1/backoffice/auth/login').send({ company: clerk.companyCode, email: clerk.email, password });
    for (let attempt = 0; attempt < 5; attempt += 1) await api('guess');
    await api(clerk.password).expect(429);

    const back = await usual.get('/backoffice/login').set('Accept', 'text/html').expect(200);
    await clerkLogin(usual, csrfFieldIn(back.text), clerk.password).expect(303);
    await api(clerk.password).expect(429);

    const stranger = request.agent(app.url);
    const strangerForm = await stranger.get('/backoffice/login').set('Accept', 'text/html').expect(200);
    const refused = await clerkLogin(stranger, csrfFieldIn(strangerForm.text), clerk.password).expect(429);
    expect(refused.text).toContain('action="/backoffice/login/unlock"');
  });
});
