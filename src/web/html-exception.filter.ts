import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, ServiceUnavailableException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { isTransientError } from '../../libs/queue/transient-error';
import { redactLoggedUrl } from '../core/logged-url';
import { PageReply, PageRequest, preferredMediaType, requestPath } from './http';

/** Seconds a client is asked to wait when PostgreSQL or Redis is away (most outages are a restart). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** JSON endpoints keep Nest's JSON error body even when a browser asks. */
const JSON_PATH = /^\/(api|health)(\/|$)/;
const JSON_OR_HTML = ['application/json', 'text/html'];

/** A browser navigating to a page: Accept prefers HTML over JSON. */
export function wantsHtml(req: PageRequest): boolean {
  return !JSON_PATH.test(requestPath(req)) && preferredMediaType(req, JSON_OR_HTML) === 'text/html';
}

function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  // Errors from Fastify (body parsing, too large a body, static files) carry their status this way.
  const status = (exception as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : HttpStatus.INTERNAL_SERVER_ERROR;
}

function messageKeys(status: number): { titleKey: string; textKey: string } {
  if (status === HttpStatus.NOT_FOUND) return { titleKey: 'error.notFound.title', textKey: 'error.notFound.text' };
  if (status < 500) return { titleKey: 'error.request.title', textKey: 'error.request.text' };
  return { titleKey: 'error.server.title', textKey: 'error.server.text' };
}

/**
 * Errors on pages become an HTML page in the layout (404 for unknown routes);
 * API and JSON clients get Nest's default JSON body from the base filter.
 */
@Catch()
export class HtmlExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger(HtmlExceptionFilter.name);

  override catch(caught: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return super.catch(caught, host);
    const req = host.switchToHttp().getRequest<PageRequest>();
    const res = host.switchToHttp().getResponse<PageReply>();
    const exception = this.unavailableIfTransient(caught, res);
    if (res.sent || !wantsHtml(req)) return super.catch(exception, host);

    const status = statusOf(exception);
    if (status >= 500) this.logger.error({ err: exception, url: redactLoggedUrl(req.originalUrl) }, 'page failed');
    try {
      res.status(status).render('web/error', { status, ...messageKeys(status) });
    } catch (error) {
      // The error page itself failed (a broken template): answer plainly rather than not at all.
      this.logger.error({ err: error }, 'error page failed to render');
      res.status(status).type('text/plain; charset=utf-8').send(STATUS_CODES[status]);
    }
  }

  /**
   * A database or Redis connection that failed (see isTransientError) is the service
   * being briefly unavailable, not a bug: 503 with Retry-After, so clients and load
   * balancers come back instead of reporting an error.
   */
  private unavailableIfTransient(exception: unknown, res: PageReply): unknown {
    if (!isTransientError(exception) || res.sent) return exception;
    this.logger.warn({ err: (exception as Error).message }, 'a backing service is unavailable; answering 503');
    res.header('Retry-After', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    return new ServiceUnavailableException('The service is briefly unavailable; try again shortly');
  }
}
