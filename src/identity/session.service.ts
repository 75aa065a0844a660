import { Inject, Injectable } from '@nestjs/common';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { PageReply, PageRequest } from '../web/http';
import { AppConfig, servesHttps } from '../../config/configuration';
import { Clock } from '../core/clock';
import { APP_CONFIG } from '../core/config.module';
import { InteractiveRedis } from '../core/interactive-redis.service';
import { Principal, principalId } from './principal';
import { hashSecret, looksLikeSecret, newSecret } from '../../libs/crypto/tokens';

export const SESSION_COOKIE = 'portal_sid';

/** The session a request runs in (anonymous sessions carry only a CSRF token). */
export interface ActiveSession {
  /** The raw session id or bearer token; never stored, never logged. */
  id: string;
  csrfToken: string;
  principal: Principal | null;
  via: 'cookie' | 'bearer';
  absoluteExpiresAt: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request acts for; undefined when anonymous. Set by SessionMiddleware. */
    principal?: Principal;
    /** The loaded session, if any. Set by SessionMiddleware. */
    portalSession?: ActiveSession;
  }
}

interface StoredSession {
  principal: Principal | null;
  csrf: string;
  via: 'cookie' | 'bearer';
  createdAt: number;
  absoluteExpiresAt: number;
}

type PrincipalRef = Pick<Principal, 'kind' | 'companyId'> & { id: number };

/**
 * Server-side sessions and API tokens in Redis. A session lives under the SHA-256 of
 * its id, so a Redis dump holds no usable token; it expires after SESSION_IDLE_MINUTES
 * without use and SESSION_ABSOLUTE_HOURS after it started. Each principal has an index
 * set of its session hashes so that all of them can be ended (password change, deletion).
 */
@Injectable()
export class SessionService {
  private readonly idleMs: number;
  private readonly absoluteMs: number;
  private readonly prefix: string;
  readonly cookieOptions: CookieSerializeOptions;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly interactiveRedis: InteractiveRedis,
    private readonly clock: Clock,
  ) {
    this.idleMs = config.SESSION_IDLE_MINUTES * 60_000;
    this.absoluteMs = config.SESSION_ABSOLUTE_HOURS * 3_600_000;
    this.prefix = config.REDIS_KEY_PREFIX;
    this.cookieOptions = {
      httpOnly: true,
      sameSite: 'lax',
      secure: servesHttps(config),
      path: '/',
    };
  }

  /** The fail-fast connection: during a Redis outage a request gets 503 at once (see SessionMiddleware). */
  private get redis() {
    return this.interactiveRedis.client;
  }

  private sessionKey(hash: string): string {
    return `${this.prefix}session:${hash}`;
  }

  private indexKey(ref: PrincipalRef): string {
    return `${this.prefix}sessions:${ref.kind}:${ref.companyId}:${ref.id}`;
  }

  /**
   * Loads a live session by its raw id and slides its idle expiry; null when unknown
   * or expired. GETEX reads and slides in one round trip (every API call pays it); the
   * rare session whose absolute end is nearer than the idle span is then cut back to it.
   */
  async load(id: string, via: 'cookie' | 'bearer'): Promise<ActiveSession | null> {
    if (!looksLikeSecret(id)) return null;
    const key = this.sessionKey(hashSecret(id));
    const raw = await this.redis.getex(key, 'PX', this.idleMs);
    if (!raw) return null;
    const stored = JSON.parse(raw) as StoredSession;
    const left = stored.absoluteExpiresAt - this.clock.now();
    if (left <= 0) {
      await this.redis.del(key);
      return null;
    }
    if (left < this.idleMs) await this.redis.pexpire(key, left);
    if (stored.via !== via) return null;
    return { id, csrfToken: stored.csrf, principal: stored.principal, via, absoluteExpiresAt: stored.absoluteExpiresAt };
  }

  /** A new session (anonymous when `principal` is null). */
  private async create(principal: Principal | null, via: 'cookie' | 'bearer'): Promise<ActiveSession> {
    const id = newSecret();
    const hash = hashSecret(id);
    const now = this.clock.now();
    const stored: StoredSession = { principal, csrf: newSecret(), via, createdAt: now, absoluteExpiresAt: now + this.absoluteMs };
    const ttl = Math.min(this.idleMs, this.absoluteMs);
    const multi = this.redis.multi().set(this.sessionKey(hash), JSON.stringify(stored), 'PX', ttl);
    if (principal) {
      const index = this.indexKey({ kind: principal.kind, companyId: principal.companyId, id: principalId(principal) });
      multi.sadd(index, hash).pexpire(index, this.absoluteMs);
    }
    await multi.exec();
    return { id, csrfToken: stored.csrf, principal, via, absoluteExpiresAt: stored.absoluteExpiresAt };
  }

  /** An anonymous cookie session, so that a form can carry a CSRF token. */
  async startAnonymous(req: PageRequest, res: PageReply): Promise<ActiveSession> {
    const session = await this.create(null, 'cookie');
    this.attach(req, res, session);
    res.setCookie(SESSION_COOKIE, session.id, this.cookieOptions);
    return session;
  }

  /** Logs `principal` in: ends the current session and starts a new one (new id, new CSRF token). */
  async start(req: PageRequest, res: PageReply, principal: Principal): Promise<void> {
    if (req.portalSession?.via === 'cookie') await this.destroy(req.portalSession.id);
    const session = await this.create(principal, 'cookie');
    this.attach(req, res, session);
    res.setCookie(SESSION_COOKIE, session.id, this.cookieOptions);
  }

  /** Logs out: ends the request's session (cookie or bearer token) and clears the cookie. */
  async end(req: PageRequest, res: PageReply): Promise<void> {
    const session = req.portalSession;
    if (session) await this.destroy(session.id);
    if (!session || session.via === 'cookie') res.clearCookie(SESSION_COOKIE, this.cookieOptions);
    req.portalSession = undefined;
    req.principal = undefined;
    delete res.locals.currentCustomer;
    delete res.locals.currentClerk;
    delete res.locals.csrfToken;
  }

  /** A bearer token for the JSON API, in the same store and with the same expiry as a web session. */
  async issueApiToken(principal: Principal): Promise<string> {
    return (await this.create(principal, 'bearer')).id;
  }

  /** The expiry of a freshly issued token: its idle expiry (it slides with use). */
  idleExpiryFromNow(): Date {
    return new Date(this.clock.now() + Math.min(this.idleMs, this.absoluteMs));
  }

  /** Ends every session and token of a principal except `exceptSessionId` (a raw id); returns how many ended. */
  async endAllFor(principal: PrincipalRef, exceptSessionId?: string): Promise<number> {
    const index = this.indexKey(principal);
    const keep = exceptSessionId ? hashSecret(exceptSessionId) : undefined;
    const hashes = (await this.redis.smembers(index)).filter((hash) => hash !== keep);
    if (hashes.length === 0) return 0;
    const ended = await this.redis.del(...hashes.map((hash) => this.sessionKey(hash)));
    await this.redis.srem(index, ...hashes);
    return ended;
  }

  private async destroy(id: string): Promise<void> {
    if (!looksLikeSecret(id)) return;
    const hash = hashSecret(id);
    const key = this.sessionKey(hash);
    const raw = await this.redis.get(key);
    await this.redis.del(key);
    const principal = raw ? (JSON.parse(raw) as StoredSession).principal : null;
    if (principal) {
      await this.redis.srem(this.indexKey({ kind: principal.kind, companyId: principal.companyId, id: principalId(principal) }), hash);
    }
  }

  /**
   * Makes the session the request's own and, for pages (`viewLocals`), tells the layout who
   * is logged in. A JSON answer renders no layout, so the API skips the view locals.
   */
  attach(req: PageRequest, res: PageReply, session: ActiveSession, viewLocals = true): void {
    req.portalSession = session;
    const principal = session.principal ?? undefined;
    req.principal = principal;
    if (!viewLocals) return;
    const locals = res.locals;
    locals.csrfToken = session.csrfToken;
    // Assigned (not deleted) so the locals keep their shape; an undefined one reads as absent in the templates.
    locals.currentCustomer = principal?.kind === 'customer' ? { name: principal.name, code: principal.code } : undefined;
    locals.currentClerk = principal?.kind === 'clerk' ? { name: principal.name, role: principal.role } : undefined;
  }
}
