/**
 * The plain counterpart of the billing API for bench/billing.ts: node:http, pg and
 * ioredis, no framework. It answers GET /api/v1/invoices, /api/v1/debts and
 * /api/v1/home for a bearer token with the same Redis call as SessionService (GETEX
 * of the token's hash) and the same prepared statements and pure functions as the
 * app, so the difference in throughput is the framework's share. Started by the
 * benchmark as a process of its own, configured by the same environment as the app.
 */
import http from 'node:http';
import { Pool, types } from 'pg';
import { parseConfig } from '../config/configuration';
import { PreparedStatement } from '../libs/typeorm/prepared-query';
import { createRedisConnection } from '../libs/queue/redis';
import { OPEN_REQUESTS } from '../src/approval/request-queries.service';
import { DEFAULT_PAGE_SIZE, DebtRow, RECENTLY_PAID_ITEMS, debtsView } from '../src/billing/billing-queries.service';
import { BASE_RATES, DEBTS, HOME_BILLING, INVOICE_PAGE } from '../src/billing/billing-sql';
import { invoiceStatus } from '../src/billing/invoice-status';
import { Principal } from '../src/identity/principal';
import { hashSecret, looksLikeSecret } from '../libs/crypto/tokens';
import { OPEN_READING_WINDOWS } from '../src/metering/meter-queries.service';
import { UNREAD_MESSAGES } from '../src/notifications/message-counts.service';
import { todayInHungary } from '../src/web/format';

const config = parseConfig(process.env);
// As config/data-source-options.ts: dates stay 'YYYY-MM-DD' strings.
types.setTypeParser(types.builtins.DATE, (value) => value);
const db = new Pool({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE });
const redis = createRedisConnection(config.REDIS_URL);
const idleMs = config.SESSION_IDLE_MINUTES * 60_000;

async function run<T>(statement: PreparedStatement, values: unknown[]): Promise<T[]> {
  return (await db.query({ name: statement.name, text: statement.text, values })).rows as T[];
}

async function customerOf(req: http.IncomingMessage): Promise<{ companyId: number; customerId: number } | null> {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!looksLikeSecret(token)) return null;
  const raw = await redis.getex(`${config.REDIS_KEY_PREFIX}session:${hashSecret(token)}`, 'PX', idleMs);
  if (!raw) return null;
  const stored = JSON.parse(raw) as { principal: Principal | null; via: string; absoluteExpiresAt: number };
  if (stored.via !== 'bearer' || stored.absoluteExpiresAt <= Date.now() || stored.principal?.kind !== 'customer') return null;
  return { companyId: stored.principal.companyId, customerId: stored.principal.customerId };
}

interface InvoiceRow {
  id: string;
  invoice_number: string;
  type: string;
  period: string;
  issued_on: string;
  due_on: string;
  gross_total: number;
  open_amount: number;
  service_point_id: string | null;
}

async function invoices(companyId: number, customerId: number) {
  const today = todayInHungary();
  const rows = await run<InvoiceRow>(INVOICE_PAGE, [companyId, customerId, null, null, null, null, DEFAULT_PAGE_SIZE + 1]);
  const items = rows.slice(0, DEFAULT_PAGE_SIZE).map((row) => ({
    id: Number(row.id),
    invoiceNumber: row.invoice_number,
    type: row.type,
    period: row.period,
    issuedOn: row.issued_on,
    dueOn: row.due_on,
    grossTotal: row.gross_total,
    openAmount: row.open_amount,
    servicePointId: row.service_point_id === null ? null : Number(row.service_point_id),
    status: invoiceStatus({ dueOn: row.due_on, grossTotal: row.gross_total, openAmount: row.open_amount }, today),
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > DEFAULT_PAGE_SIZE && last ? `${last.dueOn}_${last.id}` : null };
}

async function debts(companyId: number, customerId: number) {
  const [rows, rates] = await Promise.all([
    run<DebtRow>(DEBTS, [companyId, customerId, RECENTLY_PAID_ITEMS]),
    run<{ valid_from: string; rate: string }>(BASE_RATES, []),
  ]);
  return debtsView(
    rows,
    rates.map((rate) => ({ validFrom: rate.valid_from, rate: Number(rate.rate) })),
    todayInHungary(),
  );
}

async function home(companyId: number, customerId: number) {
  const today = todayInHungary();
  const [[billing], [windows], [messages], requests] = await Promise.all([
    run<{
      open_balance: number;
      next_due_on: string | null;
      id: string | null;
      invoice_number: string;
      type: string;
      period: string;
      due_on: string;
      gross_total: number;
      open_amount: number;
    }>(HOME_BILLING, [companyId, customerId]),
    run<{ meters: number }>(OPEN_READING_WINDOWS, [companyId, customerId, today]),
    run<{ unread: number }>(UNREAD_MESSAGES, [companyId, customerId]),
    run<{ id: string; kind: string; state: string; created_at: Date }>(OPEN_REQUESTS, [companyId, customerId, 10]),
  ]);
  return {
    openBalance: billing.open_balance,
    nextDueOn: billing.next_due_on,
    newestInvoice:
      billing.id === null
        ? null
        : {
            id: Number(billing.id),
            invoiceNumber: billing.invoice_number,
            type: billing.type,
            period: billing.period,
            dueOn: billing.due_on,
            grossTotal: billing.gross_total,
            openAmount: billing.open_amount,
            status: invoiceStatus({ dueOn: billing.due_on, grossTotal: billing.gross_total, openAmount: billing.open_amount }, today),
          },
    overdue: billing.next_due_on !== null && billing.next_due_on < today,
    metersWithOpenWindow: windows.meters,
    unreadMessages: messages.unread,
    openRequests: requests.map((row) => ({ id: Number(row.id), kind: row.kind, state: row.state, createdAt: row.created_at })),
  };
}

const ROUTES: Record<string, (companyId: number, customerId: number) => Promise<unknown>> = {
  '/api/v1/invoices': invoices,
  '/api/v1/debts': debts,
  '/api/v1/home': home,
};

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

const server = http.createServer((req, res) => {
  const path = (req.url ?? '').split('?')[0];
  if (path === '/health/ready') return send(res, 200, { status: 'ok' });
  const route = req.method === 'GET' ? ROUTES[path] : undefined;
  if (!route) return send(res, 404, { statusCode: 404, message: 'Not Found' });
  customerOf(req)
    .then((customer) =>
      customer ? route(customer.companyId, customer.customerId).then((body) => send(res, 200, body)) : send(res, 401, {}),
    )
    .catch((error: unknown) => send(res, 500, { message: (error as Error).message }));
});

server.listen(config.PORT, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  redis.disconnect();
  void db.end();
});
