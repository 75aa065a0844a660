import Negotiator from 'negotiator';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The HTTP request and reply as page and API controllers see them (Fastify's, with the
 * portal's additions below). Controllers use only these names and helpers, so that what
 * they depend on of the framework stays small:
 * - `reply.render(view, model)` renders `src/<module>/views/<view>.hbs` in the layout (see configureViews);
 * - `reply.locals` holds what the layout reads (language, request URL, who is logged in, CSRF token);
 * - `redirectSeeOther(reply, url)` answers a form post (303);
 * - `reply.status(n)`, `reply.header(name, value)`, `reply.type(mime)`, `reply.send(body)`;
 * - `request.cookies`, `reply.setCookie()` / `reply.clearCookie()` (@fastify/cookie; `maxAge` in seconds);
 * - `requestPath(request)` for the path without the query.
 */
export type PageRequest = FastifyRequest;
export type PageReply = FastifyReply;

declare module 'fastify' {
  interface FastifyReply {
    /** What the layout of every page reads; set per request (see configureViews). */
    locals: Record<string, unknown>;
    /** Renders a view (`module/name`) in the layout with `locals` and the model, and sends it as HTML. */
    render(view: string, model?: Record<string, unknown>): FastifyReply;
  }
}

/** The answer to a form post: the browser GETs `url` (303 See Other). */
export function redirectSeeOther(reply: PageReply, url: string): PageReply {
  return reply.redirect(url, 303);
}

/** The request's path, without the query string. */
export function requestPath(request: PageRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Which of the media types the request's Accept header prefers (the first on a tie), undefined when it accepts none. */
export function preferredMediaType(request: Pick<PageRequest, 'headers'>, available: string[]): string | undefined {
  return new Negotiator(request).mediaType(available);
}
