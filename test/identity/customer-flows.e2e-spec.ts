import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestCompany, openTestDataSource } from '../support/database';
import { createTestCustomer, createTestInvoice } from '../support/factories';
import { RunningApp, startTestApp } from '../support/http-app';
import { hashSecret } from '../../libs/crypto/tokens';
import { csrfFieldIn } from '../support/customer-session';

const PASSWORD = 'Szentes-Fűtés-2024';
let ipSequence = 0;
/** A fresh client address per request, so the per-IP throttle of one test never reaches another. */
const nextIp = () => `10.${(process.pid % 200) + 20}.${Math.floor((ipSequence += 1) / 250)}.${(ipSequence % 250) + 1}`;

describe('customer identity flows (links, reset, re-registration, page forms)', () => {
  let dataSource: DataSource;
  let running: RunningApp;
  let companyId: number;
  let mailSequence = 0;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    // No worker: the links are read from the e-mail log, written in the same transaction as the token.
    // The tests name their client addresses in X-Forwarded-For, as a proxy in front would.
    running = await startTestApp({ env: { TRUSTED_PROXIES: 'loopback' } });
    companyId = await createTestCompany(dataSource, 'Folyamat Zrt');
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  const api = () => request(running.url);
  const uniqueEmail = (name: string) => `${name}-${process.pid}-${(mailSequence += 1)}@example.hu`;

  /** The link to `path` in a mail queued to `to` (waiting for it); the first one, or the first not in `except`. */
  async function linkTo(to: string, path: string, except: string[] = []): Promise<string> {
    const until = Date.now() + 15_000;
    for (;;) {
      const logged = (await dataSource.query(`SELECT params->>'link' AS link FROM email_log WHERE recipient = $1 ORDER BY id`, [
        to,
      ])) as Array<{ link: string | null }>;
      const fromLog = logged.map((row) => row.link).find((link) => link && new URL(link).pathname === path && !except.includes(link));
      if (fromLog) return fromLog;
      if (Date.now() > until) throw new Error(`No mail to ${to} with a link to ${path}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const tokenOf = (link: string) => new URL(link).searchParams.get('token') as string;

  async function register(customer: { code: string }, invoice: { number: string }, email: string) {
    await api()
      .post('/api/v1/auth/register')
      .set('X-Forwarded-For', nextIp())
      .send({ companyId, customerCode: customer.code, invoiceNumber: invoice.number, amount: '38 837', email })
      .expect(202);
  }

  async function registered(email = uniqueEmail('ugyfel')) {
    const customer = await createTestCustomer(dataSource, companyId, 'Folyamat Ügyfél');
    const invoice = await createTestInvoice(dataSource, companyId, customer.id);
    await register(customer, invoice, email);
    const link = await linkTo(email, '/register/verify');
    await api()
      .post('/api/v1/auth/register/verify')
      .send({ token: tokenOf(link), password: PASSWORD })
      .expect(204);
    return { customer, invoice, email };
  }

  const login = (identifier: string, password: string) =>
    api().post('/api/v1/auth/login').set('X-Forwarded-For', nextIp()).send({ companyId, identifier, password });

  /** An agent with the anonymous session and CSRF token a form page hands out. */
  async function formAgent(path: string) {
    const agent = request.agent(running.url);
    const page = await agent.get(path).set('Accept', 'text/html').expect(200);
    const csrf = csrfFieldIn(page.text);
    return { agent, csrf, page };
  }

  async function accountCount(customerId: number): Promise<number> {
    const [row] = (await dataSource.query(`SELECT count(*)::int AS n FROM customer_accounts WHERE company_id = $1 AND customer_id = $2`, [
      companyId,
      customerId,
    ])) as Array<{ n: number }>;
    return row.n;
  }

  it('refuses an expired verification link with a clear message and creates nothing', async () => {
    const customer = await createTestCustomer(dataSource, companyId);
    const invoice = await createTestInvoice(dataSource, companyId, customer.id);
    const email = uniqueEmail('lejart');
    await register(customer, invoice, email);
    const link = await linkTo(email, '/register/verify');
    const token = tokenOf(link);
    const updated: [unknown, number] = await dataSource.query(
      `UPDATE account_tokens SET expires_at = now() - interval '1 minute' WHERE token_hash = $1 AND purpose = 'verify_email'`,
      [hashSecret(token)],
    );
    expect(updated[1]).toBe(1);

    const page = await api()
      .get(new URL(link).pathname + new URL(link).search)
      .set('Accept', 'text/html');
    expect(page.status).toBe(410);
    expect(page.text).toContain('A link érvénytelen');
    expect(page.text).toContain('Ez a link lejárt, vagy már felhasználták.');
    expect(page.text).not.toContain('name="password"');

    const viaApi = await api().post('/api/v1/auth/register/verify').send({ token, password: PASSWORD });
    expect(viaApi.status).toBe(400);
    expect(viaApi.body.message).toEqual(['token is invalid, already used or expired; ask for a new link']);

    const { agent, csrf } = await formAgent('/register');
    const viaPage = await agent
      .post('/register/verify')
      .type('form')
      .send({ _csrf: csrf, token, password: PASSWORD, passwordConfirm: PASSWORD });
    expect(viaPage.status).toBe(410);
    expect(viaPage.text).toContain('Ez a link lejárt');

    expect(await accountCount(customer.id)).toBe(0);
    await login(customer.code, PASSWORD).expect(401);
  });

  it('resets the password by the e-mailed link: old password fails, new works, other sessions end; the link works once', async () => {
    const { customer, email } = await registered();
    const first = (await login(customer.code, PASSWORD).expect(200)).body.token as string;
    const second = (await login(email, PASSWORD).expect(200)).body.token as string;

    await api()
      .post('/api/v1/auth/password/forgot')
      .set('X-Forwarded-For', nextIp())
      .send({ companyId, identifier: customer.code })
      .expect(202);
    const link = await linkTo(email, '/password/reset');
    const { agent, csrf, page } = await formAgent(new URL(link).pathname + new URL(link).search);
    expect(page.text).toContain('name="passwordConfirm"');
    const newPassword = 'Csongrád-Megye-Új-77';
    const mismatch = await agent
      .post('/password/reset')
      .type('form')
      .send({ _csrf: csrf, token: tokenOf(link), password: newPassword, passwordConfirm: 'mas' });
    expect(mismatch.status).toBe(400);
    const done = await agent
      .post('/password/reset')
      .type('form')
      .send({ _csrf: csrf, token: tokenOf(link), password: newPassword, passwordConfirm: newPassword });
    expect(done.status).toBe(200);
    expect(done.text).toContain('name="identifier"');

    await login(customer.code, PASSWORD).expect(401);
    await login(customer.code, newPassword).expect(200);
    for (const token of [first, second]) await api().get('/api/v1/me').set('Authorization', `Bearer ${token}`).expect(401);

    const again = await agent
      .post('/password/reset')
      .type('form')
      .send({ _csrf: csrf, token: tokenOf(link), password: 'Harmadik-Jelszó-99', passwordConfirm: 'Harmadik-Jelszó-99' });
    expect(again.status).toBe(410);
    expect(again.text).toContain('Ez a link lejárt, vagy már felhasználták.');
    await api()
      .post('/api/v1/auth/password/reset')
      .send({ token: tokenOf(link), password: 'Harmadik-Jelszó-99' })
      .expect(400);
    await api()
      .get(new URL(link).pathname + new URL(link).search)
      .set('Accept', 'text/html')
      .expect(410);
    await login(customer.code, 'Harmadik-Jelszó-99').expect(401);
    await login(customer.code, newPassword).expect(200);
  });

  it('lets a customer register again after deleting the account', async () => {
    const { customer, invoice } = await registered();
    const token = (await login(customer.code, PASSWORD).expect(200)).body.token as string;
    await api().delete('/api/v1/me').set('Authorization', `Bearer ${token}`).send({ password: PASSWORD }).expect(204);
    expect(await accountCount(customer.id)).toBe(0);
    await login(customer.code, PASSWORD).expect(401);

    const email = uniqueEmail('ujra');
    await register(customer, invoice, email);
    const link = await linkTo(email, '/register/verify');
    await api()
      .post('/api/v1/auth/register/verify')
      .send({ token: tokenOf(link), password: 'Visszatért-Ügyfél-5' })
      .expect(204);
    expect(await accountCount(customer.id)).toBe(1);
    const back = await login(email, 'Visszatért-Ügyfél-5').expect(200);
    const me = await api().get('/api/v1/me').set('Authorization', `Bearer ${back.body.token}`).expect(200);
    expect(me.body).toMatchObject({ code: customer.code, email });
  });

  it('re-renders the registration form on bad input with translated errors, the entered values escaped, storing nothing', async () => {
    const customer = await createTestCustomer(dataSource, companyId);
    await createTestInvoice(dataSource, companyId, customer.id);
    const { agent, csrf } = await formAgent('/register');
    const script = '<script>alert("x")</script>';
    const answer = await agent
      .post('/register')
      .set('X-Forwarded-For', nextIp())
      .type('form')
      .send({
        _csrf: csrf,
        companyId: String(companyId),
        customerCode: customer.code,
        invoiceNumber: script,
        amount: '38 837 Ft',
        email: `${script}@x`,
      });
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toMatch(/text\/html/);
    expect(answer.text).toContain('E-mail cím: nem érvényes e-mail cím.');
    expect(answer.text).toContain(`value="${customer.code}"`);
    expect(answer.text).toContain('value="38 837 Ft"');
    expect(answer.text).toContain('&lt;script&gt;');
    expect(answer.text).not.toContain(script);
    expect(answer.text).not.toContain('<script>alert');
    expect(answer.text).toMatch(new RegExp(`<option[^>]*value="${companyId}"[^>]*selected`));

    const missing = await agent
      .post('/register')
      .set('X-Forwarded-For', nextIp())
      .type('form')
      .send({ _csrf: csrf, companyId: '', customerCode: "'; DROP TABLE customers; --", invoiceNumber: '', amount: 'sok', email: '' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('Választott cég: válasszon a listából.');
    expect(missing.text).toContain('kötelező megadni');
    expect(missing.text).toContain('value="&#x27;; DROP TABLE customers; --"');

    const badAmount = await agent
      .post('/register')
      .set('X-Forwarded-For', nextIp())
      .type('form')
      .send({
        _csrf: csrf,
        companyId: String(companyId),
        customerCode: customer.code,
        invoiceNumber: 'X-1',
        amount: '-5',
        email: 'jo@example.hu',
      });
    expect(badAmount.status).toBe(400);
    expect(badAmount.text).toContain('A számla fizetendő összege (Ft): egész forintösszeget adjon meg, például 38 837.');
    expect(badAmount.text).toContain('value="jo@example.hu"');

    const tokens: unknown[] = await dataSource.query(`SELECT 1 FROM account_tokens WHERE company_id = $1 AND customer_id = $2`, [
      companyId,
      customer.id,
    ]);
    expect(tokens).toHaveLength(0);
    expect(await dataSource.query(`SELECT 1 FROM customers WHERE code = $1`, ["'; DROP TABLE customers; --"])).toHaveLength(0);
    expect(await dataSource.query(`SELECT 1 FROM email_log WHERE company_id = $1 AND recipient = 'jo@example.hu'`, [companyId])).toEqual(
      [],
    );
  });

  it('re-renders the login form on bad input with a translated error, never echoing the password, escaping scripts', async () => {
    const { customer } = await registered();
    const { agent, csrf } = await formAgent('/login');
    const typedPassword = 'Titkos-Beirt-Jelszo-31';
    const wrong = await agent
      .post('/login')
      .set('X-Forwarded-For', nextIp())
      .type('form')
      .send({ _csrf: csrf, companyId: String(companyId), identifier: customer.code, password: typedPassword });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toContain('Hibás bejelentkezési adatok.');
    expect(wrong.text).toContain(`value="${customer.code}"`);
    expect(wrong.text).not.toContain(typedPassword);
    expect(wrong.headers['set-cookie'] ?? []).toHaveLength(0);

    const scripted = await agent
      .post('/login')
      .set('X-Forwarded-For', nextIp())
      .type('form')
      .send({ _csrf: csrf, companyId: 'x', identifier: '<script>alert(1)</script>', password: typedPassword });
    expect(scripted.status).toBe(400);
    expect(scripted.text).toContain('Választott cég: válasszon a listából.');
    expect(scripted.text).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(scripted.text).not.toContain('<script>alert(1)');
    expect(scripted.text).not.toContain(typedPassword);

    const empty = await agent.post('/login').set('X-Forwarded-For', nextIp()).type('form').send({ _csrf: csrf });
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('kötelező megadni');

    const home = await agent.get('/home').set('Accept', 'text/html');
    expect(home.status).not.toBe(200);
    await agent
      .post('/login')
      .set('X-Forwarded-For', nextIp())
      .type('form')
      .send({ _csrf: csrf, companyId: String(companyId), identifier: customer.code, password: PASSWORD })
      .expect(303);
    await agent.get('/home').set('Accept', 'text/html').expect(200);
  });
});
