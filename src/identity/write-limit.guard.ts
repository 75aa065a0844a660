import { applyDecorators, CanActivate, ExecutionContext, HttpException, Inject, Injectable, SetMetadata, UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PageReply, PageRequest } from '../web/http';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../../config/configuration';
import { ApiErrorResponses, WRITE_LIMIT_EXCEEDED } from '../core/api-contract';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { principalId } from './principal';

declare module 'fastify' {
  interface FastifyRequest {
    /** Whom the write limit counts for a caller without a session (an integration API key); set by that caller's guard. */
    writeLimitSubject?: string;
  }
}

/**
 * Who calls a route that needs no login, and so how many calls a minute one client address
 * may make: `people` open an e-mailed link in their browser (PUBLIC_WRITES_PER_MINUTE);
 * `servers` (the bank's payment notifications, mail providers' one-click unsubscribes) call
 * for many customers from few addresses (SERVER_CALLS_PER_MINUTE, far above their rate).
 */
export type AnonymousCallers = 'people' | 'servers';

/** The metadata key under which a route names its anonymous callers. */
export const ANONYMOUS_CALLERS = 'write-limit:anonymous-callers';

/** The 429 of a route that needs no login, by its anonymous callers. */
const ANONYMOUS_LIMIT_EXCEEDED: Record<AnonymousCallers, string> = {
  people: 'More calls a minute from one address than PUBLIC_WRITES_PER_MINUTE; Retry-After says when to try again',
  servers: 'More calls a minute from one address than SERVER_CALLS_PER_MINUTE; Retry-After says when to try again',
};

/**
 * At most WRITE_LIMIT_PER_MINUTE writes and checks a minute per logged-in principal (a
 * customer, a clerk or an integration API key, across all their sessions, tokens and app
 * instances: the counter lives in Redis). A request without a login is counted per client
 * address where the route names its anonymous callers (a public link, a server's callback);
 * elsewhere it passes, as the handler's own guard refuses it and logins have their own
 * throttle. Beyond a limit the answer is 429 with Retry-After.
 */
@Injectable()
export class WriteLimitGuard implements CanActivate {
  private readonly perPrincipal: RateLimiterRedis;
  private readonly perAddress: Record<AnonymousCallers, RateLimiterRedis>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    queues: QueuesService,
    private readonly reflector: Reflector,
  ) {
    const limiter = (name: string, points: number) =>
      new RateLimiterRedis({ storeClient: queues.connection, keyPrefix: `${config.REDIS_KEY_PREFIX}${name}`, points, duration: 60 });
    this.perPrincipal = limiter('write-limit', config.WRITE_LIMIT_PER_MINUTE);
    this.perAddress = {
      people: limiter('write-limit-ip:people', config.PUBLIC_WRITES_PER_MINUTE),
      servers: limiter('write-limit-ip:servers', config.SERVER_CALLS_PER_MINUTE),
    };
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<PageRequest>();
    const principal = request.principal;
    const subject = principal ? `${principal.kind}:${principal.companyId}:${principalId(principal)}` : request.writeLimitSubject;
    const callers = this.reflector.getAllAndOverride<AnonymousCallers | undefined>(ANONYMOUS_CALLERS, [
      context.getHandler(),
      context.getClass(),
    ]);
    try {
      if (subject !== undefined) await this.perPrincipal.consume(subject);
      else if (callers) await this.perAddress[callers].consume(`ip:${request.ip ?? 'unknown'}`);
      return true;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      http.getResponse<PageReply>().header('Retry-After', String(seconds));
      throw new HttpException(
        {
          statusCode: 429,
          error: 'Too Many Requests',
          message: `Too many changes in a short time; try again in ${seconds} s`,
          retryAfterSeconds: seconds,
        },
        429,
      );
    }
  }
}

/**
 * Puts a handler (or a whole controller) under the per-principal write limit: every
 * endpoint that writes or runs a costly check gets this one line. A route that needs no
 * login names its anonymous callers (`{ anonymous: 'people' }`), so they are counted per
 * client address. It documents the 429 (with Retry-After) in the OpenAPI document too.
 */
export const WriteLimited = (options: { anonymous?: AnonymousCallers } = {}) =>
  applyDecorators(
    ...(options.anonymous ? [SetMetadata(ANONYMOUS_CALLERS, options.anonymous)] : []),
    UseGuards(WriteLimitGuard),
    ApiErrorResponses({ 429: options.anonymous ? ANONYMOUS_LIMIT_EXCEEDED[options.anonymous] : WRITE_LIMIT_EXCEEDED }),
  );
