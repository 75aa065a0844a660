import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestCompany, openTestDataSource } from '../support/database';
import { createTestAccount, createTestCustomer } from '../support/factories';
import { RunningApp, startTestApp } from '../support/http-app';
import { SessionClock } from '../support/session-clock';
import { SESSION_COOKIE } from '../../src/identity/session.service';
import { newSecret } from '../../libs/crypto/tokens';
import { csrfFieldIn } from '../support/customer-session';

const PASSWORD = 'Szentes-Fűtés-2024';
const MINUTE = 60_000;

/** The session id a response sets, if any. */
function sessionIdSet(response: request.Response): string | undefined {
  const cookies = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  const cookie = cookies.find((each) => each.startsWith(`${SESSION_COOKIE}=`));
  return cookie ? decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1).split(';')[0]) : undefined;
}

describe('customer sessions: a new id at login, idle and absolute expiry', () => {
  let dataSource: DataSource;
  let running: RunningApp;
  let clock: SessionClock;
  let companyId: number;
  let accountSequence = 0;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    running = await startTestApp({ env: { SESSION_IDLE_MINUTES: '30', SESSION_ABSOLUTE_HOURS: '12' } });
    clock = new SessionClock([running], process.env.REDIS_KEY_PREFIX as string);
    companyId = await createTestCompany(dataSource, 'Munkamenet Zrt');
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  const withCookie = (sessionId: string) => `${SESSION_COOKIE}=${sessionId}`;

  /** The login page as a browser with `sessionId` (if any) gets it: the session id it ends up with and the form's token. */
  async function openLoginPage(sessionId?: string): Promise<{ sessionId: string; csrf: string }> {
    const page = request(running.url).get('/login').set('Accept', 'text/html');
    if (sessionId) page.set('Cookie', withCookie(sessionId));
    const answer = await page.expect(200);
    const id = sessionIdSet(answer) ?? sessionId;
    if (!id) throw new Error('The login page left the browser without a session');
    return { sessionId: id, csrf: csrfFieldIn(answer.text) };
  }

  /** A customer with an account logs in through the page form from the session `before`; the session id after login. */
  async function logIn(before: { sessionId: string; csrf: string }): Promise<string> {
    const customer = await createTestCustomer(dataSource, companyId, 'Munkamenet Ügyfél');
    await createTestAccount(dataSource, companyId, customer.id, `munkamenet-${process.pid}-${(accountSequence += 1)}@example.hu`, PASSWORD);
    const answer = await request(running.url)
      .post('/login')
      .set('Cookie', withCookie(before.sessionId))
      .type('form')
      .send({ _csrf: before.csrf, companyId: String(companyId), identifier: customer.code, password: PASSWORD })
      .expect(303);
    const after = sessionIdSet(answer);
    if (!after) throw new Error('The login set no session cookie');
    return after;
  }

  /** 200 while `sessionId` is a customer's live session; anonymous visitors are sent to the login page. */
  const home = (sessionId: string) => request(running.url).get('/home').set('Accept', 'text/html').set('Cookie', withCookie(sessionId));
  const isLoggedIn = async (sessionId: string) => (await home(sessionId)).status === 200;

  it('gives a new session id at login, and the pre-login id (and its CSRF token) stops working', async () => {
    const before = await openLoginPage();
    const after = await logIn(before);
    expect(after).not.toBe(before.sessionId);
    expect(await isLoggedIn(after)).toBe(true);
    expect(await isLoggedIn(before.sessionId)).toBe(false);
    // Were the anonymous session still alive, its own token would let this logout through.
    const stale = await request(running.url)
      .post('/logout')
      .set('Cookie', withCookie(before.sessionId))
      .type('form')
      .send({ _csrf: before.csrf });
    expect(stale.status).toBe(403);
  });

  it('replaces a session id chosen by someone else (fixation): it never becomes a logged-in session', async () => {
    const chosen = newSecret();
    const page = await openLoginPage(chosen);
    expect(page.sessionId).not.toBe(chosen);
    const after = await logIn(page);
    expect(after).not.toBe(chosen);
    expect(await isLoggedIn(after)).toBe(true);
    expect(await isLoggedIn(chosen)).toBe(false);
  });

  it('ends a session after 30 minutes without use; each use starts the 30 minutes again', async () => {
    const sessionId = await logIn(await openLoginPage());
    await clock.advance(29 * MINUTE);
    expect(await isLoggedIn(sessionId)).toBe(true);
    await clock.advance(29 * MINUTE);
    expect(await isLoggedIn(sessionId)).toBe(true);
    await clock.advance(30 * MINUTE);
    const expired = await home(sessionId);
    expect(expired.status).toBe(303);
    expect(expired.headers.location).toBe('/login?next=%2Fhome');
  });

  it('ends a session 12 hours after login even when it is used all the time', async () => {
    const sessionId = await logIn(await openLoginPage());
    for (let elapsed = 20; elapsed < 12 * 60; elapsed += 20) {
      await clock.advance(20 * MINUTE);
      expect([elapsed, await isLoggedIn(sessionId)]).toEqual([elapsed, true]);
    }
    await clock.advance(20 * MINUTE);
    expect(await isLoggedIn(sessionId)).toBe(false);
  });
});
