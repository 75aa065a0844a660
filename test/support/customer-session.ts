import { PageReply, PageRequest } from '../../src/web/http';
import { DataSource } from 'typeorm';
import { RunningApp } from './http-app';
import { Principal } from '../../src/identity/principal';
import { SESSION_COOKIE, SessionService } from '../../src/identity/session.service';

export interface TestCustomerSession {
  /** `portal_sid=<id>`, for a Cookie header. */
  cookie: string;
  /** The raw session id (for a browser context's cookie). */
  sessionId: string;
  /** The session's CSRF token, for the `_csrf` field or the x-csrf-token header. */
  csrfToken: string;
  /** A bearer token of the same customer for the JSON API. */
  bearer: string;
}

/**
 * Logs a test customer in without the login page: starts a cookie session and a
 * bearer token through SessionService, as the login would.
 */
export async function loginTestCustomer(
  app: RunningApp,
  dataSource: DataSource,
  companyId: number,
  customerId: number,
): Promise<TestCustomerSession> {
  const [row] = (await dataSource.query(`SELECT code, name FROM customers WHERE company_id = $1 AND id = $2`, [
    companyId,
    customerId,
  ])) as Array<{
    code: string;
    name: string;
  }>;
  if (!row) throw new Error(`No customer ${customerId} in company ${companyId}`);
  const principal = { kind: 'customer' as const, companyId, customerId, name: row.name, code: row.code };
  return { ...(await startCookieSession(app, principal)), bearer: await app.app.get(SessionService).issueApiToken(principal) };
}

/** A cookie session of `principal` (customer or clerk), started through SessionService as a login would. */
export async function startCookieSession(app: RunningApp, principal: Principal): Promise<Omit<TestCustomerSession, 'bearer'>> {
  let sessionId = '';
  const req = {} as PageRequest;
  const res = {
    locals: {},
    setCookie: (name: string, value: string) => {
      if (name === SESSION_COOKIE) sessionId = value;
    },
  } as unknown as PageReply;
  await app.app.get(SessionService).start(req, res, principal);
  if (!sessionId || !req.portalSession) throw new Error('SessionService.start set no session cookie');
  return { cookie: `${SESSION_COOKIE}=${sessionId}`, sessionId, csrfToken: req.portalSession.csrfToken };
}

/** The CSRF token of a page's form (its `_csrf` field); fails when the page has none. */
export function csrfFieldIn(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('No CSRF field in the page');
  return token;
}
