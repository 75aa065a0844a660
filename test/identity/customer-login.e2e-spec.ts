import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestCompany, openTestDataSource } from '../support/database';
import { createTestAccount, createTestCustomer } from '../support/factories';
import { RunningApp, startTestApp } from '../support/http-app';
import { CustomerLoginService, loginIdentifierKey } from '../../src/identity/customer-login.service';
import { createAccountToken } from '../../src/identity/registration.service';
import { SecurityAuditService } from '../../src/identity/security-audit.service';

const PASSWORD = 'Szentes-Fűtés-2024';
const WRONG = 'wrong-password';
let ipSequence = 0;
/** A fresh client address per request, so the per-IP throttle never decides these tests: only the identifier lock does. */
const nextIp = () => `10.${(process.pid % 200) + 20}.${Math.floor((ipSequence += 1) / 250)}.${(ipSequence % 250) + 1}`;

describe('customer login lockout and success', () => {
  let dataSource: DataSource;
  let running: RunningApp;
  let companyId: number;
  let emailSequence = 0;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    // The tests name their client addresses in X-Forwarded-For, as a proxy in front would.
    running = await startTestApp({ env: { TRUSTED_PROXIES: 'loopback' } });
    companyId = await createTestCompany(dataSource, 'Belépés Zrt');
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  /** A customer with a portal account (e-mail verified, PASSWORD set). */
  async function account(local = 'ugyfel') {
    const customer = await createTestCustomer(dataSource, companyId, 'Belépő Ügyfél');
    const email = `${local}-${process.pid}-${(emailSequence += 1)}@example.hu`;
    await createTestAccount(dataSource, companyId, customer.id, email, PASSWORD);
    return { ...customer, email };
  }

  const login = (identifier: string, password: string) =>
    request(running.url).post('/api/v1/auth/login').set('X-Forwarded-For', nextIp()).send({ companyId, identifier, password });

  /** The statuses of `count` wrong-password logins by `identifier`. */
  async function failures(identifier: string, count: number): Promise<number[]> {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < count; attempt += 1) statuses.push((await login(identifier, WRONG)).status);
    return statuses;
  }

  async function events(customerId: number): Promise<string[]> {
    const rows: Array<{ event: string }> = await dataSource.query(
      `SELECT event FROM security_events WHERE company_id = $1 AND actor_kind = 'customer' AND actor_id = $2 ORDER BY id`,
      [companyId, customerId],
    );
    return rows.map((row) => row.event);
  }

  it('keys the lock by the identifier as typed: trimmed, e-mail lower-cased, code upper-cased, per company', () => {
    expect(loginIdentifierKey(7, ' su0044 ')).toBe(loginIdentifierKey(7, 'SU0044'));
    expect(loginIdentifierKey(7, 'Demo@Example.HU ')).toBe(loginIdentifierKey(7, 'demo@example.hu'));
    expect(loginIdentifierKey(7, 'SU0044')).not.toBe(loginIdentifierKey(8, 'SU0044'));
    expect(loginIdentifierKey(7, 'SU0044')).not.toBe(loginIdentifierKey(7, 'su0044@example.hu'));
  });

  it('never shows a lock got by the customer code when the e-mail is typed, and the records stay as before', async () => {
    const customer = await account();
    expect(await failures(customer.code, 5)).toEqual([401, 401, 401, 401, 429]);
    const lockedCode = await login(customer.code.toLowerCase(), PASSWORD);
    expect(lockedCode.status).toBe(429);
    expect(lockedCode.body.message).toMatch(/minutes/);

    // The e-mail answers a wrong password exactly like an address that names no account, not "locked".
    const wrongEmail = await login(customer.email, WRONG);
    const unknownEmail = await login(`senki-${process.pid}@example.hu`, WRONG);
    expect(wrongEmail.status).toBe(401);
    expect(wrongEmail.body).toEqual(unknownEmail.body);
    await login(customer.email.toUpperCase(), PASSWORD).expect(200);

    // A success of the account lifts the lock of its other identifier too.
    await login(customer.code, PASSWORD).expect(200);

    expect(await events(customer.id)).toEqual([
      'login_failed',
      'login_failed',
      'login_failed',
      'login_failed',
      'login_failed',
      'lockout',
      'login_failed',
      'login_succeeded',
      'login_succeeded',
    ]);
    const [lockout] = await dataSource.query(
      `SELECT detail FROM security_events WHERE company_id = $1 AND actor_id = $2 AND event = 'lockout'`,
      [companyId, customer.id],
    );
    expect(lockout.detail).toBe('60 s');
  });

  it('never shows a lock got by the e-mail when the customer code is typed', async () => {
    const customer = await account();
    const variants = [customer.email, customer.email.toUpperCase(), ` ${customer.email}`, customer.email, customer.email];
    const statuses: number[] = [];
    for (const variant of variants) statuses.push((await login(variant, WRONG)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    await login(customer.email, PASSWORD).expect(429);

    await login(customer.code, WRONG).expect(401);
    await login(customer.code, PASSWORD).expect(200);
    await login(customer.email, PASSWORD).expect(200);
  });

  it('throttles an identifier that names no account exactly like one that does', async () => {
    const customer = await account();
    const known = await failures(customer.code, 6);
    const unknownCode = await failures(`NX${process.pid}`, 6);
    const knownEmail = await failures(customer.email, 6);
    const unknownEmail = await failures(`nincs-${process.pid}@example.hu`, 6);
    expect(known).toEqual([401, 401, 401, 401, 429, 429]);
    expect(unknownCode).toEqual(known);
    expect(knownEmail).toEqual(known);
    expect(unknownEmail).toEqual(known);
    const [lockedKnown, lockedUnknown] = [await login(customer.code, PASSWORD), await login(`NX${process.pid}`, PASSWORD)];
    // Both were locked for the same 60 s; the seconds left differ by how long the requests in between took.
    const { retryAfterSeconds: knownWait, ...knownAnswer } = lockedKnown.body as { retryAfterSeconds: number };
    const { retryAfterSeconds: unknownWait, ...unknownAnswer } = lockedUnknown.body as { retryAfterSeconds: number };
    expect(knownAnswer).toEqual(unknownAnswer);
    for (const wait of [knownWait, unknownWait]) expect(wait > 0 && wait <= 60).toBe(true);
  });

  it('counts an e-mail spelled with characters that only the database folds to it (İ for i) as no account', async () => {
    const customer = await account('istvan');
    const lookalike = customer.email.toUpperCase().replace(/I/g, 'İ');
    // Each such spelling would otherwise be a lock key of its own: a fresh budget for the same account.
    await login(lookalike, PASSWORD).expect(401);
    await login(customer.email, PASSWORD).expect(200);
  });

  it('lifts the lock of both identifiers when the password is reset by link', async () => {
    const customer = await account();
    expect((await failures(customer.code, 5)).at(-1)).toBe(429);
    expect((await failures(customer.email, 5)).at(-1)).toBe(429);
    const token = await createAccountToken(dataSource.manager, {
      companyId,
      customerId: customer.id,
      purpose: 'reset_password',
      email: customer.email,
      validHours: 1,
    });
    const newPassword = 'Csongrád-Megye-Új-77';
    await request(running.url).post('/api/v1/auth/password/reset').send({ token, password: newPassword }).expect(204);
    await login(customer.code, newPassword).expect(200);
    await login(customer.email, newPassword).expect(200);
  });

  it('writes last_login_at and the login_succeeded event in one transaction', async () => {
    const customer = await account();
    const lastLogin = async (): Promise<Date | null> =>
      (
        await dataSource.query(`SELECT last_login_at FROM customer_accounts WHERE company_id = $1 AND customer_id = $2`, [
          companyId,
          customer.id,
        ])
      )[0].last_login_at;
    expect(await lastLogin()).toBeNull();

    const audit = running.app.get(SecurityAuditService);
    const spy = jest.spyOn(audit, 'record').mockRejectedValueOnce(new Error('audit write failed'));
    try {
      const logins = running.app.get(CustomerLoginService);
      await expect(logins.login({ companyId, identifier: customer.code, password: PASSWORD, ip: null })).rejects.toThrow(
        'audit write failed',
      );
    } finally {
      spy.mockRestore();
    }
    expect(await lastLogin()).toBeNull();
    expect(await events(customer.id)).toEqual([]);

    await login(customer.code, PASSWORD).expect(200);
    expect(await lastLogin()).toBeInstanceOf(Date);
    expect(await events(customer.id)).toEqual(['login_succeeded']);
  });
});
