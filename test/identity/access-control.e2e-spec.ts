import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestClerk, TestClerk } from '../support/clerk-factories';
import { loginTestCustomer, TestCustomerSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { QUEUE_DASHBOARD_ROUTE } from '../../src/approval/queue-dashboard';
import { SecurityAuditService } from '../../src/identity/security-audit.service';
import { currentTotpCode, generateTotpSecret } from '../../src/identity/totp';
import { createDebts, createSucceededPayment } from '../payments/fixtures';
import { createCustomer, createMeter, createMeterWorld, createReading, createServicePoint, daysAgo } from '../metering/fixtures';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Endpoint {
  method: Method;
  /** OpenAPI form: /api/v1/meters/{id}/readings */
  path: string;
  params: string[];
  body?: SchemaObject;
}
interface SchemaObject {
  $ref?: string;
  type?: string;
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  enum?: unknown[];
}
interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      { parameters?: Array<{ name: string; in: string }>; requestBody?: { content?: Record<string, { schema?: SchemaObject }> } }
    >
  >;
  components?: { schemas?: Record<string, SchemaObject> };
}

/** The customer's ids an attacker would try, by the resource the URL segment before the parameter names. */
interface VictimIds {
  customerId: number;
  servicePointId: number;
  meterId: number;
  requestId: number;
  clerkId: number;
  securityEventId: number;
  paymentId: number;
  debtItemId: number;
  invoiceId: number;
  /** A provider message to A, with an attachment. */
  messageId: number;
}

const isSuccess = (status: number) => status >= 200 && status < 300;

/** Writes of the caller's own settings: B may make them, and they must not touch A's rows. */
const OWN_SETTINGS_WRITES = ['PUT /api/v1/notifications/preferences', 'POST /api/v1/calendar-feed', 'DELETE /api/v1/calendar-feed'];

/**
 * The access-control walk of issue 3, data-driven: every customer endpoint of the running
 * app's OpenAPI document and every customer page with an id, asked by customer B with
 * customer A's ids; every back-office endpoint and page with a customer; every back-office
 * endpoint with an id by a clerk (admin) of another company. New endpoints are walked
 * without changing this file.
 */
describe('access control walk (customer ids, back office)', () => {
  let dataSource: DataSource;
  let running: RunningApp;
  let doc: OpenApiDocument;
  let pageRoutes: Array<{ method: Method; path: string }>;
  let a: VictimIds & { companyId: number };
  let leakMarkers: string[];
  let sessionA: TestCustomerSession;
  let sessionB: TestCustomerSession;
  let sessionC: TestCustomerSession;
  let bMeterId: number;
  let otherClerkToken: string;
  let requestBefore: { state: string; version: number };

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    running = await startTestApp();
    doc = (await request(running.url).get('/api/docs/openapi.json').expect(200)).body as OpenApiDocument;
    pageRoutes = servedRoutes(running);

    // Company 1: customers A and B (each with a service point and meter), a clerk.
    const world = await createMeterWorld(dataSource, { decimals: 0 });
    await createReading(dataSource, world.companyId, world.meterId, daysAgo(30), 100);
    const marker = `Titkos Aladár ${process.pid}`;
    await dataSource.query(`UPDATE customers SET name = $3 WHERE company_id = $1 AND id = $2`, [world.companyId, world.customerId, marker]);
    const [facts] = (await dataSource.query(
      `SELECT c.code, m.serial_number FROM customers c JOIN meters m ON m.company_id = c.company_id AND m.id = $3
        WHERE c.company_id = $1 AND c.id = $2`,
      [world.companyId, world.customerId, world.meterId],
    )) as Array<{ code: string; serial_number: string }>;
    const invoiceNumber = `TITKOS-${process.pid}`;
    const [invoice] = (await dataSource.query(
      `INSERT INTO invoices (company_id, customer_id, service_point_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount)
       VALUES ($1, $2, $3, $4, 'district_heating', '2014-11-01', '2014-11-12', '2014-11-30', 38837, 38837) RETURNING id`,
      [world.companyId, world.customerId, world.servicePointId, invoiceNumber],
    )) as Array<{ id: string }>;
    const messageSubject = `Titkos üzenet ${process.pid}`;
    const [message] = (await dataSource.query(
      `INSERT INTO messages (company_id, customer_id, subject, body, recipient_count) VALUES ($1, $2, $3, 'Csak A-nak', 1) RETURNING id`,
      [world.companyId, world.customerId, messageSubject],
    )) as Array<{ id: string }>;
    await dataSource.query(`INSERT INTO message_recipients (company_id, customer_id, message_id) VALUES ($1, $2, $3)`, [
      world.companyId,
      world.customerId,
      message.id,
    ]);
    const pdf = Buffer.from('%PDF-1.7\n%%EOF\n');
    await dataSource.query(
      `INSERT INTO message_attachments (company_id, message_id, file_name, content_type, size, content)
       VALUES ($1, $2, 'titkos.pdf', 'application/pdf', $3, $4)`,
      [world.companyId, message.id, pdf.length, pdf],
    );
    leakMarkers = [marker, facts.code, facts.serial_number, invoiceNumber, messageSubject];

    const bCustomerId = await createCustomer(dataSource, world.companyId);
    const bServicePoint = await createServicePoint(dataSource, world.companyId, bCustomerId);
    bMeterId = await createMeter(dataSource, world.companyId, bServicePoint);

    const [companyRow] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [world.companyId])) as Array<{ code: string }>;
    const clerkA = await createTestClerk(dataSource, { id: world.companyId, code: companyRow.code }, 'clerk');

    await running.app.get(SecurityAuditService).record(undefined, {
      companyId: world.companyId,
      actorKind: 'customer',
      actorId: world.customerId,
      event: 'login_failed',
      ip: '10.0.0.1',
    });
    const [event] = (await dataSource.query(`SELECT id FROM security_events WHERE company_id = $1 ORDER BY id DESC LIMIT 1`, [
      world.companyId,
    ])) as Array<{ id: string }>;

    sessionA = await loginTestCustomer(running, dataSource, world.companyId, world.customerId);
    sessionB = await loginTestCustomer(running, dataSource, world.companyId, bCustomerId);
    const submitted = await request(running.url)
      .post('/api/v1/readings')
      .auth(sessionA.bearer, { type: 'bearer' })
      .send({ meterId: world.meterId, value: '123' })
      .expect(201);

    a = {
      companyId: world.companyId,
      customerId: world.customerId,
      servicePointId: world.servicePointId,
      meterId: world.meterId,
      requestId: submitted.body.requestId as number,
      clerkId: clerkA.id,
      securityEventId: Number(event.id),
      paymentId: 0,
      debtItemId: 0,
      invoiceId: Number(invoice.id),
      messageId: Number(message.id),
    };
    requestBefore = await requestState(a.requestId);
    const debts = await createDebts(dataSource, world.companyId, world.customerId);
    a.debtItemId = debts.items[0].id;
    a.paymentId = await createSucceededPayment(dataSource, world.companyId, world.customerId, debts.items[0]);

    // Company 2: customer C and an admin clerk (with TOTP, so every role check passes).
    const other = await createMeterWorld(dataSource, { decimals: 0 });
    sessionC = await loginTestCustomer(running, dataSource, other.companyId, other.customerId);
    const [otherRow] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [other.companyId])) as Array<{ code: string }>;
    const secret = generateTotpSecret();
    const admin: TestClerk = await createTestClerk(dataSource, { id: other.companyId, code: otherRow.code }, 'admin', {
      totpSecret: secret,
    });
    otherClerkToken = (
      await request(running.url)
        .post('/api/v1/backoffice/auth/login')
        .send({ company: admin.companyCode, email: admin.email, password: admin.password, totpCode: currentTotpCode(secret) })
        .expect(200)
    ).body.token as string;
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  async function requestState(id: number): Promise<{ state: string; version: number }> {
    const [row] = (await dataSource.query(`SELECT state, version FROM requests WHERE id = $1`, [id])) as Array<{
      state: string;
      version: number;
    }>;
    return { state: row.state, version: Number(row.version) };
  }

  function endpoints(filter: (path: string) => boolean): Endpoint[] {
    return Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .filter(() => filter(path))
        .map(([method, operation]) => ({
          method: method as Method,
          path,
          params: (operation.parameters ?? []).filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name),
          body: operation.requestBody?.content?.['application/json']?.schema,
        })),
    );
  }

  /** A's ids to put in place of a path parameter: by the resource named before it; all of them when unknown. */
  function idsFor(path: string, param: string): number[] {
    const before = path.split('/').at(path.split('/').indexOf(`{${param}}`) - 1) ?? '';
    const key = `${before}:${param}`.toLowerCase();
    if (/payment/.test(key)) return [a.paymentId];
    if (/message/.test(key)) return [a.messageId];
    if (/invoice/.test(key)) return [a.invoiceId];
    if (/meter/.test(key)) return [a.meterId];
    if (/request/.test(key)) return [a.requestId];
    if (/clerk/.test(key)) return [a.clerkId];
    if (/security-event/.test(key)) return [a.securityEventId];
    if (/service-?point/.test(key)) return [a.servicePointId];
    if (/customer/.test(key)) return [a.customerId];
    return [a.meterId, a.requestId, a.servicePointId, a.customerId, a.clerkId, a.securityEventId, a.paymentId, a.invoiceId, a.messageId];
  }

  /** Every concrete URL for an endpoint (A's ids substituted; the cartesian product over parameters). */
  function urlsFor(endpoint: { path: string; params: string[] }, style: 'openapi' | 'route' = 'openapi'): string[] {
    let urls = [endpoint.path];
    for (const param of endpoint.params) {
      const placeholder = style === 'openapi' ? `{${param}}` : `:${param}`;
      const ids = idsFor(style === 'openapi' ? endpoint.path : endpoint.path.replace(`:${param}`, `{${param}}`), param);
      urls = urls.flatMap((url) => ids.map((id) => url.replace(placeholder, String(id))));
    }
    return urls;
  }

  /** A plausible body from the request schema, with A's ids wherever an id goes. */
  function bodyFrom(schema: SchemaObject | undefined, name = ''): unknown {
    if (!schema) return {};
    if (schema.$ref) return bodyFrom(doc.components?.schemas?.[schema.$ref.split('/').at(-1) ?? ''], name);
    const lower = name.toLowerCase();
    if (schema.type === 'object' || schema.properties) {
      return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([key, value]) => [key, bodyFrom(value, key)]));
    }
    if (schema.type === 'array') return [bodyFrom(schema.items, name.replace(/s$/, ''))];
    if (schema.enum) return schema.enum[0];
    if (lower.includes('debtitem')) return a.debtItemId;
    if (lower.includes('meter')) return schema.type === 'string' ? String(a.meterId) : a.meterId;
    if (lower.includes('invoice')) return a.invoiceId;
    if (lower.includes('request') || lower === 'id' || lower === 'ids') return a.requestId;
    if (lower.includes('servicepoint')) return a.servicePointId;
    if (lower.includes('customer')) return a.customerId;
    if (lower.includes('clerk')) return a.clerkId;
    if (lower.includes('version')) return requestBefore.version;
    if (lower.includes('password')) return 'Nem-Ez-A-Jelszo-71';
    if (schema.type === 'integer' || schema.type === 'number') return a.requestId;
    if (schema.type === 'boolean') return false;
    return lower === 'value' ? '150' : 'x';
  }

  function call(method: Method, url: string, token: string, body?: unknown) {
    const req = request(running.url)[method](url).auth(token, { type: 'bearer' }).set('Accept', 'application/json');
    return method === 'get' ? req : req.send((body ?? {}) as object);
  }

  function expectNoLeak(what: string, text: string): void {
    for (const marker of leakMarkers) expect({ what, leaks: text.includes(marker) ? marker : null }).toEqual({ what, leaks: null });
  }

  /** 403 or 404; the failure message names the call and the status it got. */
  function expectRefused(what: string, status: number): void {
    expect({ what, status: [403, 404].includes(status) ? '403/404' : status }).toEqual({ what, status: '403/404' });
  }

  const isCustomerPath = (path: string) =>
    path.startsWith('/api/') && !path.startsWith('/api/v1/backoffice') && !path.startsWith('/api/v1/auth/');

  it('found the endpoints to walk', () => {
    const customer = endpoints(isCustomerPath);
    expect(customer.filter((endpoint) => endpoint.params.length > 0).length).toBeGreaterThanOrEqual(3);
    expect(endpoints((path) => path.startsWith('/api/v1/backoffice/')).length).toBeGreaterThanOrEqual(10);
    expect(pageRoutes.some((route) => route.path === '/readings/meters/:meterId/history')).toBe(true);
    // The request kinds of issue 15: the customer's requests of every kind and the Ügyféladatok routes.
    for (const path of ['/requests/:id/withdraw', '/profile/e-invoice/:servicePointId', '/profile', '/profile/confirm-email']) {
      expect({ path, walked: pageRoutes.some((route) => route.path === path) }).toEqual({ path, walked: true });
    }
    const paths = customer.map((endpoint) => endpoint.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/requests/{id}',
        '/api/v1/requests/{id}/withdraw',
        '/api/v1/profile',
        '/api/v1/profile/data-changes',
        '/api/v1/service-points/{id}/e-invoice',
      ]),
    );
    for (const path of ['/invoices/:id', '/invoices/:id/pdf', '/backoffice/customers/:id', '/messages/:id', '/messages/:id/attachment']) {
      expect({ path, walked: pageRoutes.some((route) => route.path === path) }).toEqual({ path, walked: true });
    }
    for (const path of [
      '/api/v1/invoices/{id}',
      '/api/v1/invoices/{id}/pdf',
      '/api/v1/debts',
      '/api/v1/home',
      '/api/v1/backoffice/customers/{id}',
      '/api/v1/messages/{id}',
      '/api/v1/messages/{id}/read',
      '/api/v1/messages/{id}/attachment',
      '/api/v1/backoffice/messages',
    ]) {
      expect({ path, documented: path in doc.paths }).toEqual({ path, documented: true });
    }
  });

  it("gives customer B a 404 (or 403) for every customer endpoint with A's ids, and A a 200 for the same GETs", async () => {
    const walked: string[] = [];
    for (const endpoint of endpoints(isCustomerPath)) {
      const body = bodyFrom(endpoint.body);
      for (const url of urlsFor(endpoint)) {
        const what = `${endpoint.method.toUpperCase()} ${url}`;
        const answer = await call(endpoint.method, url, sessionB.bearer, body);
        walked.push(`${what} → ${answer.status}`);
        expectNoLeak(what, answer.text);
        if (endpoint.params.length > 0) {
          expectRefused(what, answer.status);
        } else if (OWN_SETTINGS_WRITES.includes(what)) {
          const [touched] = await dataSource.query(
            `SELECT (SELECT count(*) FROM notification_preferences WHERE company_id = $1 AND customer_id = $2)
                  + (SELECT count(*) FROM calendar_feeds WHERE company_id = $1 AND customer_id = $2) AS count`,
            [a.companyId, a.customerId],
          );
          expect({ what, touchedA: Number(touched.count) }).toEqual({ what, touchedA: 0 });
        } else if (endpoint.method !== 'get') {
          // A body naming A's ids (or B's own account with a wrong password): never accepted.
          expect({ what, success: isSuccess(answer.status) }).toEqual({ what, success: false });
        }
        if (endpoint.method === 'get' && endpoint.params.length > 0 && idsFor(endpoint.path, endpoint.params[0]).length === 1) {
          const own = await call('get', url, sessionA.bearer);
          expect({ what: `A: ${what}`, status: own.status }).toEqual({ what: `A: ${what}`, status: 200 });
        }
      }
    }
    // The same walk from another company's customer.
    for (const endpoint of endpoints(isCustomerPath).filter((candidate) => candidate.params.length > 0)) {
      for (const url of urlsFor(endpoint)) {
        const answer = await call(endpoint.method, url, sessionC.bearer, bodyFrom(endpoint.body));
        expectRefused(`C: ${url}`, answer.status);
        expectNoLeak(`C: ${url}`, answer.text);
      }
    }
    expect(walked.length).toBeGreaterThan(5);
    expect(await requestState(a.requestId)).toEqual(requestBefore);
  });

  it("gives customer B a 404 (or 403) for every customer page with A's ids, and never A's data", async () => {
    const withIds = pageRoutes.filter(
      (route) => route.path.includes(':') && !route.path.startsWith('/api') && !route.path.startsWith('/backoffice'),
    );
    expect(withIds.length).toBeGreaterThan(0);
    for (const route of withIds) {
      const params = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]);
      for (const url of urlsFor({ path: route.path, params }, 'route')) {
        const what = `${route.method.toUpperCase()} ${url}`;
        const answer = await request(running.url)
          [route.method](url)
          .set('Cookie', sessionB.cookie)
          .set('Accept', 'text/html')
          .type('form')
          .send(route.method === 'get' ? undefined : { _csrf: sessionB.csrfToken });
        expectRefused(what, answer.status);
        expectNoLeak(what, answer.text);
      }
    }
    // B's own history page works, so the 404s above are about ownership, not a broken session.
    await request(running.url)
      .get(`/readings/meters/${bMeterId}/history`)
      .set('Cookie', sessionB.cookie)
      .set('Accept', 'text/html')
      .expect(200);

    // Ids in the query string and in form bodies.
    const servicePoint = await request(running.url)
      .get(`/readings?servicePoint=${a.servicePointId}`)
      .set('Cookie', sessionB.cookie)
      .set('Accept', 'text/html');
    expect([200, 403, 404]).toContain(servicePoint.status);
    expectNoLeak('GET /readings?servicePoint=A', servicePoint.text);
    for (const confirm of ['0', '1']) {
      const posted = await request(running.url)
        .post('/readings')
        .set('Cookie', sessionB.cookie)
        .set('Accept', 'text/html')
        .type('form')
        .send({ _csrf: sessionB.csrfToken, meterId: String(a.meterId), value: '150', confirm });
      expectRefused(`POST /readings confirm=${confirm}`, posted.status);
      expectNoLeak('POST /readings', posted.text);
    }
    expect(await requestState(a.requestId)).toEqual(requestBefore);
  });

  it('refuses every back-office endpoint (403/404) to a customer token', async () => {
    for (const endpoint of endpoints((path) => path.startsWith('/api/v1/backoffice/') && path !== '/api/v1/backoffice/auth/login')) {
      for (const url of urlsFor(endpoint)) {
        const what = `${endpoint.method.toUpperCase()} ${url}`;
        for (const session of [sessionA, sessionB]) {
          const answer = await call(endpoint.method, url, session.bearer, bodyFrom(endpoint.body));
          expectRefused(what, answer.status);
          expectNoLeak(what, answer.text);
        }
      }
    }
    expect(await requestState(a.requestId)).toEqual(requestBefore);
  });

  it('refuses every back-office page (403/404, never 200) to a customer cookie session', async () => {
    const pages = pageRoutes.filter(
      // The login steps and the unlock link are for anyone not logged in, and show nobody's data.
      (route) =>
        route.path.startsWith('/backoffice') &&
        !['/backoffice/login', '/backoffice/login/totp', '/backoffice/login/unlock'].includes(route.path),
    );
    expect(pages.length).toBeGreaterThanOrEqual(5);
    for (const route of pages) {
      const params = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]);
      for (const url of urlsFor({ path: route.path, params }, 'route')) {
        const what = `${route.method.toUpperCase()} ${url}`;
        const answer = await request(running.url)
          [route.method](url)
          .set('Cookie', sessionB.cookie)
          .set('Accept', 'text/html')
          .type('form')
          .send(route.method === 'get' ? undefined : { _csrf: sessionB.csrfToken, expectedVersion: String(requestBefore.version) });
        expectRefused(what, answer.status);
        expectNoLeak(what, answer.text);
      }
    }
    expect(await requestState(a.requestId)).toEqual(requestBefore);
    // The customer session survived the walk (a back-office logout must not end it either).
    await request(running.url).get('/readings').set('Cookie', sessionB.cookie).set('Accept', 'text/html').expect(200);
    // B has a session but no portal account row (the test helper logs in without one): /home is a 404, not a 500.
    await request(running.url).get('/home').set('Cookie', sessionB.cookie).set('Accept', 'text/html').expect(404);
  });

  it("gives another company's clerk a 404 for every back-office endpoint with company 1's ids", async () => {
    const withIds = endpoints((path) => path.startsWith('/api/v1/backoffice/')).filter((endpoint) => endpoint.params.length > 0);
    expect(withIds.length).toBeGreaterThanOrEqual(5);
    for (const endpoint of withIds) {
      for (const url of urlsFor(endpoint)) {
        const what = `${endpoint.method.toUpperCase()} ${url}`;
        const answer = await call(endpoint.method, url, otherClerkToken, bodyFrom(endpoint.body));
        expect({ what, status: answer.status }).toEqual({ what, status: 404 });
        expectNoLeak(what, answer.text);
      }
    }
    // Lists and bulk actions without ids in the path: nothing of company 1 in them, nothing changed.
    for (const endpoint of endpoints((path) => path.startsWith('/api/v1/backoffice/')).filter(
      (candidate) => candidate.params.length === 0 && !candidate.path.includes('/auth/'),
    )) {
      const answer = await call(endpoint.method, endpoint.path, otherClerkToken, bodyFrom(endpoint.body));
      expectNoLeak(`${endpoint.method.toUpperCase()} ${endpoint.path}`, answer.text);
    }
    // Back-office pages with ids, for the same clerk (bearer, as a browser would send the session). The queue
    // dashboard's parameters name queues and jobs, not a company's rows (queue-dashboard.e2e-spec tests its access).
    for (const route of pageRoutes.filter(
      (candidate) =>
        candidate.path.startsWith('/backoffice') && candidate.path.includes(':') && !candidate.path.startsWith(QUEUE_DASHBOARD_ROUTE),
    )) {
      const params = [...route.path.matchAll(/:(\w+)/g)].map((match) => match[1]);
      for (const url of urlsFor({ path: route.path, params }, 'route')) {
        if (route.method !== 'get') continue;
        const answer = await request(running.url).get(url).auth(otherClerkToken, { type: 'bearer' }).set('Accept', 'text/html');
        expect({ what: url, status: answer.status }).toEqual({ what: url, status: 404 });
        expectNoLeak(url, answer.text);
      }
    }
    expect(await requestState(a.requestId)).toEqual(requestBefore);
  });
});

/** The routes the running app serves (method and path pattern), pages included (they are not in OpenAPI). */
function servedRoutes(running: RunningApp): Array<{ method: Method; path: string }> {
  return running.routes.flatMap(({ method, path }) => {
    const lower = method.toLowerCase();
    return ['get', 'post', 'put', 'patch', 'delete'].includes(lower) ? [{ method: lower as Method, path }] : [];
  });
}
