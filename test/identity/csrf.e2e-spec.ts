import request from 'supertest';
import { DataSource } from 'typeorm';
import { createClerkTestCompany, createTestClerk } from '../support/clerk-factories';
import { startCookieSession, loginTestCustomer, TestCustomerSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { createTestCustomer } from '../support/factories';
import { RunningApp, startTestApp } from '../support/http-app';
import { CSRF_HEADER, CSRF_MESSAGE } from '../../src/identity/session.middleware';
import { QUEUE_DASHBOARD_ROUTE } from '../../src/approval/queue-dashboard';
import { newSecret } from '../../libs/crypto/tokens';

type CookieSession = Omit<TestCustomerSession, 'bearer'>;

const UNSAFE = ['post', 'put', 'patch', 'delete'] as const;
type UnsafeMethod = (typeof UNSAFE)[number];

interface Route {
  method: UnsafeMethod;
  path: string;
}

/** Every unsafe route of the pages (not /api) the running app serves, read from its router, with `:params` filled in. */
function unsafePageRoutes(app: RunningApp): Route[] {
  return app.routes.flatMap((route) => {
    const method = route.method.toLowerCase() as UnsafeMethod;
    if (route.path.startsWith('/api') || route.path.includes('*') || !UNSAFE.includes(method)) return [];
    return [{ method, path: route.path.replace(/:\w+/g, '1') }];
  });
}

describe('CSRF: cookie sessions must send their own token', () => {
  let dataSource: DataSource;
  let running: RunningApp;
  let customer: TestCustomerSession;
  let otherCustomer: TestCustomerSession;
  let clerk: CookieSession;
  let otherClerk: CookieSession;
  let companyId: number;
  let customerId: number;
  let clerkSession: () => Promise<CookieSession>;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    running = await startTestApp();
    const company = await createClerkTestCompany(dataSource);
    companyId = company.id;
    const [first, second] = [await createTestCustomer(dataSource, company.id), await createTestCustomer(dataSource, company.id)];
    customerId = first.id;
    customer = await loginTestCustomer(running, dataSource, company.id, first.id);
    otherCustomer = await loginTestCustomer(running, dataSource, company.id, second.id);
    clerkSession = async () => {
      const row = await createTestClerk(dataSource, company, 'admin');
      return startCookieSession(running, { kind: 'clerk', companyId: company.id, clerkId: row.id, name: 'Teszt', role: 'admin' });
    };
    clerk = await clerkSession();
    otherClerk = await clerkSession();
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  /** An unsafe request of the `session` (a cookie), with the form field `_csrf` if given. */
  const send = (route: Route, session: CookieSession, csrf?: string) =>
    request(running.url)
      [route.method](route.path)
      .set('Cookie', session.cookie)
      .type('form')
      .send(csrf === undefined ? {} : { _csrf: csrf });

  const outcome = (answer: request.Response) => ({ status: answer.status, message: answer.body?.message as unknown });
  const CSRF_REFUSAL = { status: 403, message: CSRF_MESSAGE };

  it('finds every page form of the portal and the back office', () => {
    // The queue dashboard's own JSON writes (its read-only mode refuses them anyway) are no forms of the
    // portal; the CSRF rule holds them all the same (the next test walks every unsafe route).
    const paths = unsafePageRoutes(running)
      .filter((route) => !route.path.startsWith(QUEUE_DASHBOARD_ROUTE))
      .map((route) => `${route.method} ${route.path}`);
    expect([...paths].sort()).toEqual(
      [
        'post /account/delete',
        'post /backoffice/base-rates',
        'post /backoffice/clerks',
        'post /backoffice/clerks/1/1',
        'post /backoffice/emails/1/resend',
        'post /backoffice/integration-keys',
        'post /backoffice/integration-keys/1/revoke',
        'post /backoffice/integration-webhooks',
        'post /backoffice/integration-webhooks/1/delete',
        'post /backoffice/integration-webhooks/1/retry',
        'post /backoffice/login',
        'post /backoffice/login/totp',
        'post /backoffice/login/unlock',
        'post /backoffice/logout',
        'post /backoffice/messages',
        'post /backoffice/payments/1/allocate',
        'post /backoffice/queue/bulk-approve',
        'post /backoffice/requests/1/1',
        'post /backoffice/settings',
        'post /backoffice/stalled/outbox/1/resend',
        'post /backoffice/totp',
        'post /login',
        'post /login/unlock',
        'post /logout',
        'post /notifications/calendar',
        'post /notifications/calendar/revoke',
        'post /notifications/settings',
        'post /notifications/unsubscribe/1',
        'post /password',
        'post /password/forgot',
        'post /password/reset',
        'post /payments',
        'post /profile',
        'post /profile/confirm-email',
        'post /profile/e-invoice/1',
        'post /readings',
        'post /register',
        'post /register/verify',
        'post /requests/1/withdraw',
      ].sort(),
    );
  });

  it('refuses every form without a token, with a wrong one, and with another session’s token', async () => {
    const routes = unsafePageRoutes(running);
    expect(routes.some((route) => route.path.startsWith(`${QUEUE_DASHBOARD_ROUTE}/api/`))).toBe(true);
    for (const route of routes) {
      const [own, other] = route.path.startsWith('/backoffice') ? [clerk, otherClerk] : [customer, otherCustomer];
      for (const [what, csrf] of [
        ['no token', undefined],
        ['a wrong token', newSecret()],
        ['another session’s token', other.csrfToken],
        ['an empty token', ''],
      ] as const) {
        expect({ route, what, ...outcome(await send(route, own, csrf)) }).toEqual({ route, what, ...CSRF_REFUSAL });
      }
    }
  });

  it('lets the session’s own token through, as the form field or the header, and not the header of another session', async () => {
    const session = await loginTestCustomer(running, dataSource, companyId, customerId);
    const withHeader = (token: string) =>
      request(running.url).post('/logout').set('Cookie', session.cookie).set(CSRF_HEADER, token).type('form').send({});
    expect(outcome(await withHeader(otherCustomer.csrfToken))).toEqual(CSRF_REFUSAL);
    expect(outcome(await withHeader(newSecret()))).toEqual(CSRF_REFUSAL);
    expect((await withHeader(session.csrfToken)).status).toBe(303);

    const backoffice = await clerkSession();
    expect((await send({ method: 'post', path: '/backoffice/logout' }, backoffice, backoffice.csrfToken)).status).toBe(303);
  });

  it('holds cookie-authenticated API calls to the same rule; bearer and cookie-less calls carry no ambient authority', async () => {
    const session = await loginTestCustomer(running, dataSource, companyId, customerId);
    const check = () => request(running.url).post('/api/v1/readings/check').send({});
    expect(outcome(await check().set('Cookie', session.cookie))).toEqual(CSRF_REFUSAL);
    expect(outcome(await check().set('Cookie', session.cookie).set(CSRF_HEADER, newSecret()))).toEqual(CSRF_REFUSAL);
    expect(outcome(await check().set('Cookie', session.cookie).set(CSRF_HEADER, otherCustomer.csrfToken))).toEqual(CSRF_REFUSAL);
    // Past the CSRF check the empty body is a validation error.
    expect((await check().set('Cookie', session.cookie).set(CSRF_HEADER, session.csrfToken)).status).toBe(400);
    expect((await check().set('Authorization', `Bearer ${session.bearer}`)).status).toBe(400);
    const logout = await request(running.url).post('/api/v1/auth/logout').set('Cookie', session.cookie).send({});
    expect(outcome(logout)).toEqual(CSRF_REFUSAL);
  });
});
