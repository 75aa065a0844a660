import { CanActivate, RequestMethod, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { BackofficeGuard } from '../../src/identity/clerk.guard';
import { CustomerGuard } from '../../src/identity/auth.guards';
import { ANONYMOUS_CALLERS, WriteLimitGuard } from '../../src/identity/write-limit.guard';
import { IntegrationKeyGuard } from '../../src/integration/integration-key.guard';
import { createTestCompany, openTestDataSource } from '../support/database';
import { createTestCustomer } from '../support/factories';
import { loginTestCustomer } from '../support/customer-session';
import { RunningApp, startTestApp } from '../support/http-app';

const LIMIT = 3;
const PUBLIC_LIMIT = 3;
const SERVER_LIMIT = 5;

/**
 * Writes with a throttle of their own instead of the write limit, and why. Each stays
 * throttled by it; a new write route joins this list only with such a reason.
 */
const THROTTLED_ELSEWHERE: Record<string, string> = {
  'CustomerAuthPages.login': 'LoginThrottleService: failures per IP and per login name',
  'CustomerAuthController.login': 'LoginThrottleService: failures per IP and per login name',
  'ClerkAuthPages.login': 'LoginThrottleService: failures per IP and per login name',
  'ClerkAuthController.login': 'LoginThrottleService: failures per IP and per login name',
  'ClerkAuthPages.loginTotp': "LoginThrottleService: the pending login's keys",
  'CustomerAuthPages.sendUnlockLink': 'LoginThrottleService: attempts an hour per IP and per login name',
  'ClerkAuthPages.sendUnlockLink': 'LoginThrottleService: attempts an hour per IP and per login name',
  'CustomerAuthPages.register': 'LoginThrottleService: attempts an hour per IP and per customer code',
  'CustomerAuthController.register': 'LoginThrottleService: attempts an hour per IP and per customer code',
  'CustomerAuthPages.forgot': 'LoginThrottleService: attempts an hour per IP and per login name',
  'CustomerAuthController.forgot': 'LoginThrottleService: attempts an hour per IP and per login name',
  'PaymentsPages.start': 'PaymentStartService: payments started per customer in 15 minutes',
  'PaymentsController.start': 'PaymentStartService: payments started per customer in 15 minutes',
  'CustomerAuthPages.logout': "ends the caller's own session; refusing it would only keep the session alive",
  'CustomerAuthController.logout': "ends the caller's own session; refusing it would only keep the session alive",
  'ClerkAuthPages.logout': "ends the caller's own session; refusing it would only keep the session alive",
  'ClerkAuthController.logout': "ends the caller's own session; refusing it would only keep the session alive",
};

const UNSAFE = new Set([RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE]);
/** Guards that name the caller (a session, a token or an integration API key), whom the write limit then counts. */
const LOGIN_GUARDS: ReadonlySet<Type<CanActivate>> = new Set([CustomerGuard, BackofficeGuard, IntegrationKeyGuard]);

interface WriteRoute {
  /** `Controller.handler` */
  name: string;
  route: string;
  guards: Type<CanActivate>[];
  anonymousCallers: unknown;
}

/** Every POST, PUT, PATCH and DELETE handler of the running app's controllers, with its guards (the controller's first). */
function writeRoutes(app: RunningApp): WriteRoute[] {
  return [...app.app.get(ModulesContainer).values()].flatMap((module) =>
    [...module.controllers.values()].flatMap(({ metatype }) => {
      if (!metatype) return [];
      const controller = metatype as Type<unknown>;
      const classGuards = (Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as Type<CanActivate>[];
      return Object.getOwnPropertyNames(controller.prototype).flatMap((key) => {
        const handler = (controller.prototype as Record<string, unknown>)[key];
        if (typeof handler !== 'function') return [];
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined || !UNSAFE.has(method)) return [];
        return [
          {
            name: `${controller.name}.${key}`,
            route: `${RequestMethod[method]} /${Reflect.getMetadata(PATH_METADATA, controller)}/${Reflect.getMetadata(PATH_METADATA, handler)}`,
            guards: [...classGuards, ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as Type<CanActivate>[])],
            anonymousCallers: Reflect.getMetadata(ANONYMOUS_CALLERS, handler) ?? Reflect.getMetadata(ANONYMOUS_CALLERS, controller),
          },
        ];
      });
    }),
  );
}

describe('the write limit', () => {
  let dataSource: DataSource;
  let app: RunningApp;
  let companyId: number;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    app = await startTestApp({
      env: {
        WRITE_LIMIT_PER_MINUTE: String(LIMIT),
        PUBLIC_WRITES_PER_MINUTE: String(PUBLIC_LIMIT),
        SERVER_CALLS_PER_MINUTE: String(SERVER_LIMIT),
        // The tests name their client addresses in X-Forwarded-For, as a proxy in front would.
        TRUSTED_PROXIES: 'loopback',
      },
    });
    companyId = await createTestCompany(dataSource, 'Korlát Zrt');
  });

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
  });

  it('answers 429 with Retry-After once a customer exceeds the limit, across tokens, and only for that customer', async () => {
    const customer = await createTestCustomer(dataSource, companyId);
    const other = await createTestCustomer(dataSource, companyId);
    const first = await loginTestCustomer(app, dataSource, companyId, customer.id);
    const second = await loginTestCustomer(app, dataSource, companyId, customer.id);
    const check = (bearer: string) =>
      request(app.url).post('/api/v1/readings/check').auth(bearer, { type: 'bearer' }).send({ meterId: 999999, value: '1' });

    const statuses: number[] = [];
    for (let attempt = 0; attempt < LIMIT; attempt += 1) statuses.push((await check(attempt % 2 ? second.bearer : first.bearer)).status);
    // No such meter: each check is answered (404), and each counts.
    expect(statuses).toEqual([404, 404, 404]);

    const refused = await check(second.bearer).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.message).toContain('Too many changes');
    await request(app.url)
      .post('/api/v1/readings')
      .auth(first.bearer, { type: 'bearer' })
      .send({ meterId: 999999, value: '1' })
      .expect(429);

    const otherSession = await loginTestCustomer(app, dataSource, companyId, other.id);
    await check(otherSession.bearer).expect(404);
  });

  it('leaves reads alone', async () => {
    const customer = await createTestCustomer(dataSource, companyId);
    const session = await loginTestCustomer(app, dataSource, companyId, customer.id);
    for (let attempt = 0; attempt <= LIMIT + 1; attempt += 1) {
      await request(app.url).get('/api/v1/meters').auth(session.bearer, { type: 'bearer' }).expect(200);
    }
  });

  it('puts every write route of the portal and the API under the write limit, or a throttle of its own named above', () => {
    const routes = writeRoutes(app);
    expect(routes.length).toBeGreaterThan(50);
    const unthrottled = routes.filter((route) => !route.guards.includes(WriteLimitGuard)).map((route) => `${route.name} (${route.route})`);
    expect(unthrottled.sort()).toEqual(
      routes
        .filter((route) => route.name in THROTTLED_ELSEWHERE)
        .map((route) => `${route.name} (${route.route})`)
        .sort(),
    );
    expect(routes.filter((route) => route.name in THROTTLED_ELSEWHERE)).toHaveLength(Object.keys(THROTTLED_ELSEWHERE).length);
  });

  it('counts the writes of routes that need no login per client address: each such route names its anonymous callers', () => {
    const publicWrites = writeRoutes(app).filter(
      (route) => route.guards.includes(WriteLimitGuard) && !route.guards.some((guard) => LOGIN_GUARDS.has(guard)),
    );
    expect(publicWrites.map((route) => `${route.name}: ${String(route.anonymousCallers)}`).sort()).toEqual([
      'CustomerAuthController.reset: people',
      'CustomerAuthController.verify: people',
      'CustomerAuthPages.reset: people',
      'CustomerAuthPages.verify: people',
      'NotificationPreferencesController.unsubscribe: servers',
      'NotificationPreferencesPages.unsubscribe: people',
      'ProfileController.confirm: people',
      'ProfilePages.confirm: people',
      'SimplePayIpnController.ipn: servers',
    ]);
  });

  it('answers 429 to one address past PUBLIC_WRITES_PER_MINUTE on a public link, and serves another address', async () => {
    const confirm = (ip: string) =>
      request(app.url).post('/api/v1/profile/email-confirmations').set('X-Forwarded-For', ip).send({ token: 'not-a-link-token' });
    const statuses: number[] = [];
    for (let attempt = 0; attempt <= PUBLIC_LIMIT; attempt += 1) statuses.push((await confirm('10.81.0.1')).status);
    expect(statuses).toEqual([...Array<number>(PUBLIC_LIMIT).fill(400), 429]);
    const refused = await confirm('10.81.0.1').expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // A password reset link from the same address counts against the same budget.
    await request(app.url)
      .post('/api/v1/auth/password/reset')
      .set('X-Forwarded-For', '10.81.0.1')
      .send({ token: 'x', password: 'y' })
      .expect(429);
    await confirm('10.81.0.2').expect(400);
  });

  it("gives the bank's notifications and one-click unsubscribes the servers' budget per address, not a person's", async () => {
    const bank = '10.82.0.1';
    const ipn = () =>
      request(app.url)
        .post('/api/v1/payment-gateways/simplepay/ipn')
        .set('X-Forwarded-For', bank)
        .set('Signature', 'bm90LWEtc2lnbmF0dXJl')
        .send({ orderRef: 'P-1' });
    const statuses: number[] = [];
    for (let attempt = 0; attempt <= SERVER_LIMIT; attempt += 1) statuses.push((await ipn()).status);
    expect(statuses).toEqual([...Array<number>(SERVER_LIMIT).fill(401), 429]);

    const mailProvider = '10.82.0.2';
    const unsubscribe = () => request(app.url).post('/api/v1/notifications/unsubscribe/not-a-token').set('X-Forwarded-For', mailProvider);
    const answers: number[] = [];
    for (let attempt = 0; attempt < SERVER_LIMIT; attempt += 1) answers.push((await unsubscribe()).status);
    expect(answers).toEqual(Array<number>(SERVER_LIMIT).fill(404));
    await unsubscribe().expect(429);
  });
});
