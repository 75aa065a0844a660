import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Node (Connect-style) middleware such as helmet. */
export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

/** The versioned JSON API; /api/docs (an HTML page) keeps the page headers. */
const JSON_API_PATH = /^\/api\/v\d+\//;

/** What still protects a JSON answer: no sniffing it into HTML or script, no reading it cross-origin, HTTPS only. */
const KEPT_ON_JSON = new Set(['x-content-type-options', 'cross-origin-resource-policy', 'strict-transport-security']);

/** A JSON answer opened in a browser loads nothing and cannot be framed. */
const JSON_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** The headers a header-setting middleware (helmet) sets on an answer, by running it once on a stand-in. */
function headersSetBy(middleware: NodeMiddleware, url: string): Array<[string, string]> {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: unknown) => headers.set(name.toLowerCase(), String(value)),
    removeHeader: (name: string) => headers.delete(name.toLowerCase()),
    getHeader: (name: string) => headers.get(name.toLowerCase()),
  };
  let failure: unknown;
  middleware(
    { url, method: 'GET', headers: {} } as IncomingMessage,
    res as unknown as ServerResponse,
    (error?: unknown) => (failure = error),
  );
  if (failure) throw failure;
  return [...headers];
}

/**
 * Security headers: pages (and everything else outside the JSON API) get the full
 * set from `pageHeaders` (helmet) on every answer; JSON API answers get the few of
 * them that matter for JSON, plus a CSP that allows nothing, computed once at start
 * (so `pageHeaders` must not depend on the request for API paths, e.g. no CSP nonce).
 * Every header costs on each answer; a dozen on a 300-byte JSON body is half its size.
 */
export function withLeanJsonHeaders(pageHeaders: NodeMiddleware): NodeMiddleware {
  const json: Array<[string, string]> = [
    ...headersSetBy(pageHeaders, '/api/v1/').filter(([name]) => KEPT_ON_JSON.has(name)),
    ['content-security-policy', JSON_CONTENT_SECURITY_POLICY],
  ];
  return (req, res, next) => {
    if (!JSON_API_PATH.test(req.url ?? '')) return pageHeaders(req, res, next);
    for (const [name, value] of json) res.setHeader(name, value);
    next();
  };
}
