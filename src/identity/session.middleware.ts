import { Injectable } from '@nestjs/common';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { wantsHtml } from '../web/html-exception.filter';
import { PageReply, PageRequest } from '../web/http';
import { SESSION_COOKIE, SessionService } from './session.service';
import { sameSecret } from '../../libs/crypto/tokens';

const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const API_PATH = /^\/api(\/|\?|$)/;
/** Static assets need no session. */
const STATIC_PATH = /^\/static\//;

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_MESSAGE = `Missing or invalid CSRF token: send the ${CSRF_FIELD} form field or the ${CSRF_HEADER} header of your session`;

function bearerToken(req: PageRequest): string | undefined {
  const header = req.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/**
 * Runs for every request (a Fastify preHandler hook, after the body is parsed, see bootstrap): loads the session (cookie `portal_sid` or `Authorization:
 * Bearer`), sets `req.principal` and the layout's `currentCustomer` / `currentClerk` /
 * `csrfToken` (pages with a form use CsrfTokenGuard to get an anonymous session
 * when there is none, so their forms carry a token), and refuses unsafe requests of cookie sessions without that token.
 * Bearer requests and cookie-less API calls carry no ambient authority, so they are exempt.
 */
@Injectable()
export class SessionMiddleware {
  constructor(private readonly sessions: SessionService) {}

  readonly hook: preHandlerAsyncHookHandler = async (req, res) => {
    if (STATIC_PATH.test(req.url)) return;
    const bearer = bearerToken(req);
    const cookie = req.cookies[SESSION_COOKIE];
    const session = bearer
      ? await this.sessions.load(bearer, 'bearer')
      : typeof cookie === 'string'
        ? await this.sessions.load(cookie, 'cookie')
        : null;
    const api = API_PATH.test(req.url);
    if (session) this.sessions.attach(req, res, session, !api);
    // A logged-in principal's pages and answers are theirs alone: no browser or proxy cache may keep them.
    if (session?.principal) res.header('Cache-Control', 'no-store');

    if (UNSAFE_METHODS.has(req.method) && !bearer && (session || !api)) {
      const body = req.body as Record<string, unknown> | undefined;
      const header = req.headers[CSRF_HEADER];
      const sent = typeof body?.[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : typeof header === 'string' ? header : undefined;
      if (!session || !sent || !sameSecret(sent, session.csrfToken)) {
        this.refuse(req, res);
        return res;
      }
      if (body && typeof body === 'object') delete body[CSRF_FIELD];
    }
  };

  private refuse(req: PageRequest, res: PageReply): void {
    res.status(403);
    if (wantsHtml(req)) {
      res.render('identity/csrf-error', { titleKey: 'identity.csrf.title' });
    } else {
      res.send({ statusCode: 403, error: 'Forbidden', message: CSRF_MESSAGE });
    }
  }
}
