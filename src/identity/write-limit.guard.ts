import { applyDecorators, CanActivate, ExecutionContext, HttpException, Inject, Injectable, UseGuards } from '@nestjs/common';
import { Request, Response } from 'express';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../../config/configuration';
import { ApiErrorResponses, WRITE_LIMIT_EXCEEDED } from '../core/api-contract';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { principalId } from './principal';

declare module 'express-serve-static-core' {
  interface Request {
    /** Whom the write limit counts for a caller without a session (an integration API key); set by that caller's guard. */
    writeLimitSubject?: string;
  }
}

/**
 * At most WRITE_LIMIT_PER_MINUTE writes and checks a minute per logged-in principal (a
 * customer, a clerk or an integration API key, across all their sessions, tokens and app instances: the counter
 * lives in Redis). Beyond that the answer is 429 with Retry-After. Anonymous requests
 * pass: the handler's own guard refuses them, and logins have their own throttle.
 */
@Injectable()
export class WriteLimitGuard implements CanActivate {
  private readonly limiter: RateLimiterRedis;

  constructor(@Inject(APP_CONFIG) config: AppConfig, queues: QueuesService) {
    this.limiter = new RateLimiterRedis({
      storeClient: queues.connection,
      keyPrefix: `${config.REDIS_KEY_PREFIX}write-limit`,
      points: config.WRITE_LIMIT_PER_MINUTE,
      duration: 60,
    });
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const principal = req.principal;
    const subject = principal ? `${principal.kind}:${principal.companyId}:${principalId(principal)}` : req.writeLimitSubject;
    if (subject === undefined) return true;
    try {
      await this.limiter.consume(subject);
      return true;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
      http.getResponse<Response>().setHeader('Retry-After', String(seconds));
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
 * endpoint that writes or runs a costly check gets this one line. It documents the 429
 * (with Retry-After) in the OpenAPI document too.
 */
export const WriteLimited = () => applyDecorators(UseGuards(WriteLimitGuard), ApiErrorResponses({ 429: WRITE_LIMIT_EXCEEDED }));
