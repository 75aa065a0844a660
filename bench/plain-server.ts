/**
 * The yardstick of bench/http-share.ts: a plain `node:http` + `pg` + `ioredis` server
 * doing the portal's own work for its hot routes, without Nest, Fastify or TypeORM.
 * It builds the project's own classes by hand (SessionService and WriteLimitGuard for the
 * Redis calls, MeterQueries, ReadingService, BillingQueries, CustomerHome, the JSON and page
 * controllers and ViewRenderer for the SQL, the rules and the templates) over a bare pg pool, so the SQL and the domain work
 * are the portal's, imported, never copied; what differs is only the framework.
 *
 * To measure another route, add a handler to ROUTES here and an entry to
 * bench/http-share.ts's ROUTES (bench/billing.ts measures the billing routes).
 *
 *   PORT=… DATABASE_URL=… REDIS_URL=… REDIS_KEY_PREFIX=… node -r ts-node/register/transpile-only bench/plain-server.ts
 */
import 'reflect-metadata';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { parseConfig } from '../config/configuration';
import '../config/data-source-options';
import { WorkflowEngine } from '../libs/workflow/workflow-engine';
import { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CustomerRef } from '../src/identity/auth.guards';
import { WriteLimitGuard } from '../src/identity/write-limit.guard';
import { QueuesService } from '../src/core/queues.service';
import { ApprovalQueueService } from '../src/approval/approval-queue.service';
import { RequestQueries } from '../src/approval/request-queries.service';
import { BillingQueries } from '../src/billing/billing-queries.service';
import { BillingController, InvoiceQueryDto } from '../src/billing/billing.controller';
import { HomePage } from '../src/billing/billing.pages';
import { CustomerHome } from '../src/billing/customer-home.service';
import { MessageCounts } from '../src/notifications/message-counts.service';
import { CompanyDirectory } from '../src/web/company-directory.service';
import { ActiveSession, SESSION_COOKIE, SessionService } from '../src/identity/session.service';
import { MeterHistory } from '../src/metering/meter-history.service';
import { MeterQueries } from '../src/metering/meter-queries.service';
import { ReadingService } from '../src/metering/reading.service';
import { ReadingsController } from '../src/metering/readings.controller';
import { ReadingsPages } from '../src/metering/readings.pages';
import { ServicePoints } from '../src/metering/service-points.service';
import { SOURCE_ROOT, ViewRenderer } from '../src/web/view-renderer';
import type { PageReply, PageRequest } from '../src/web/http';
import { CustomerRequestsService } from '../src/approval/customer-requests.service';
import { RequestKinds } from '../src/approval/request-kind';
import { Clock } from '../src/core/clock';
import { InteractiveRedis } from '../src/core/interactive-redis.service';
import { ReadingReview } from '../src/metering/reading-review';

const config = parseConfig(process.env);
const pool = new Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE });
const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: null });

/**
 * What the project's query classes use of a TypeORM DataSource: `query`, and the
 * driver's pool that preparedQuery sends its named statements to; here the pg pool itself.
 */
function plainDataSource(): DataSource {
  return {
    manager: { queryRunner: undefined, connection: { driver: { master: pool } } },
    query: async (text: string, values?: unknown[]) => (await pool.query(text, values)).rows,
    transaction: () => Promise.reject(new Error('the plain server runs no explicit transaction: each customer submits once')),
  } as unknown as DataSource;
}

const dataSource = plainDataSource();
const sessions = new SessionService(config, { client: redis } as unknown as InteractiveRedis, new Clock());
const engine = new WorkflowEngine();
const kinds = new RequestKinds(engine);
const meterHistory = new MeterHistory(dataSource);
new ReadingReview(dataSource, kinds, meterHistory).onModuleInit();
const readings = new ReadingService(dataSource, engine);
const queries = new MeterQueries(dataSource, meterHistory);
const readingsApi = new ReadingsController(queries, readings);
const readingsPages = new ReadingsPages(
  queries,
  readings,
  new CustomerRequestsService(dataSource, engine, kinds),
  new ServicePoints(dataSource),
);
const writeLimit = new WriteLimitGuard(config, { connection: redis } as unknown as QueuesService, new Reflector());
const messageCounts = new MessageCounts(dataSource);
const billing = new BillingQueries(dataSource);
const requestQueries = new RequestQueries(dataSource, engine, new ApprovalQueueService(dataSource), kinds);
const customerHome = new CustomerHome(billing, queries, requestQueries, messageCounts);
const billingApi = new BillingController(billing, customerHome);
const homePage = new HomePage(customerHome, kinds, new CompanyDirectory(dataSource));
const renderer = new ViewRenderer({ root: SOURCE_ROOT, watch: false, defaultLanguage: config.DEFAULT_LANGUAGE });

interface Call {
  url: URL;
  /** The `:id` of a route that has one. */
  id: number;
  customer: CustomerRef;
  session: ActiveSession;
  body: unknown;
  res: ServerResponse;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const json = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** The slice of the reply the page controllers use: locals, status, render. */
function pageResponse(call: Call, unreadMessages: number): PageReply {
  const principal = call.session.principal;
  const locals: Record<string, unknown> = {
    lang: config.DEFAULT_LANGUAGE,
    requestUrl: call.url.pathname + call.url.search,
    csrfToken: call.session.csrfToken,
    currentCustomer: principal?.kind === 'customer' ? { name: principal.name, code: principal.code } : undefined,
    unreadMessages,
  };
  let status = 200;
  const page = {
    locals,
    status(code: number) {
      status = code;
      return page;
    },
    render(view: string, context: object) {
      const html = renderer.render(renderer.resolve(view) as string, { ...locals, ...context });
      call.res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
      call.res.end(html);
    },
  };
  return page as unknown as PageReply;
}

/** The write limit's Redis call (WriteLimitGuard), as the portal makes it for every write; true when within the limit. */
async function withinWriteLimit(call: Call): Promise<boolean> {
  const context = {
    switchToHttp: () => ({ getRequest: () => ({ principal: call.session.principal }), getResponse: () => ({ header: () => undefined }) }),
    getHandler: () => withinWriteLimit,
    getClass: () => Object,
  } as unknown as ExecutionContext;
  return writeLimit.canActivate(context).catch(() => false);
}

/** `METHOD path` → how the portal's route answers, and whether its session comes from a bearer token or the cookie. */
const ROUTES: Record<string, { via: 'bearer' | 'cookie'; handle: (call: Call) => Promise<void> }> = {
  'GET /api/v1/meters': {
    via: 'bearer',
    handle: async (call) => sendJson(call.res, 200, await readingsApi.meters(call.customer)),
  },
  'POST /api/v1/readings': {
    via: 'bearer',
    handle: async (call) => {
      if (!(await withinWriteLimit(call))) return sendJson(call.res, 429, { message: 'too many writes' });
      const body = call.body as { meterId?: unknown; value?: unknown };
      if (typeof body?.meterId !== 'number' || typeof body.value !== 'string') return sendJson(call.res, 400, { message: 'bad input' });
      const result = await readings.submit(call.customer.companyId, call.customer.customerId, { meterId: body.meterId, value: body.value });
      if (!result.ok) return sendJson(call.res, 409, result.error);
      sendJson(call.res, 201, { ...result.value, state: 'submitted' });
    },
  },
  'GET /api/v1/invoices': {
    via: 'bearer',
    // A page with no filter or cursor: the one request bench/billing.ts sends.
    handle: async (call) => sendJson(call.res, 200, await billingApi.invoices(call.customer, new InvoiceQueryDto())),
  },
  'GET /api/v1/invoices/:id': {
    via: 'bearer',
    handle: async (call) => sendJson(call.res, 200, await billingApi.invoice(call.customer, call.id)),
  },
  'GET /api/v1/debts': {
    via: 'bearer',
    handle: async (call) => sendJson(call.res, 200, await billingApi.debts(call.customer)),
  },
  'GET /api/v1/home': {
    via: 'bearer',
    handle: async (call) => sendJson(call.res, 200, await billingApi.summary(call.customer)),
  },
  'GET /': {
    via: 'cookie',
    handle: async (call) => {
      // The portal's menu shows the unread message count on every customer page (UnreadMessagesMiddleware).
      const unread = await messageCounts.unread(call.customer.companyId, call.customer.customerId);
      await homePage.homePage({ principal: call.session.principal } as PageRequest, pageResponse(call, unread));
    },
  },
  'GET /readings': {
    via: 'cookie',
    handle: async (call) => {
      // The portal's menu shows the unread message count on every customer page (UnreadMessagesMiddleware).
      const unread = await messageCounts.unread(call.customer.companyId, call.customer.customerId);
      await readingsPages.page(
        call.customer,
        pageResponse(call, unread),
        call.url.searchParams.get('servicePoint') ?? undefined,
        undefined,
      );
    },
  },
};

function credential(req: IncomingMessage, via: 'bearer' | 'cookie'): string | undefined {
  if (via === 'bearer') return /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]+)`).exec(req.headers.cookie ?? '')?.[1];
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (req.method !== 'POST') return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://plain');
  if (url.pathname === '/health/ready') return sendJson(res, 200, { status: 'ok' });
  const id = /\/(\d+)$/.exec(url.pathname)?.[1];
  const route = ROUTES[`${req.method} ${id === undefined ? url.pathname : url.pathname.replace(/\d+$/, ':id')}`];
  if (!route) return sendJson(res, 404, { message: 'not found' });
  const body = await readJson(req);
  const token = credential(req, route.via);
  const session = token ? await sessions.load(token, route.via) : null;
  const principal = session?.principal;
  if (!session || principal?.kind !== 'customer') return sendJson(res, 401, { message: 'Log in first' });
  await route.handle({
    url,
    id: Number(id),
    customer: { companyId: principal.companyId, customerId: principal.customerId },
    session,
    body,
    res,
  });
}

const server = http.createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  serve(req, res).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    if (!res.headersSent) sendJson(res, 500, { message: 'server error' });
  });
});
server.listen(config.PORT, '127.0.0.1');

process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  void Promise.all([pool.end(), redis.quit()]).then(() => process.exit(0));
});
