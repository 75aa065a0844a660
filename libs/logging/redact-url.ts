/** Query parameters whose values are secrets: one-time link tokens, keys, secrets, passwords. */
const SECRET_PARAMETER = /token|key|secret|password/i;

export const REDACTED = '[Redacted]';

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * The URL (absolute, or a path with a query) with the value of every secret query
 * parameter replaced by `[Redacted]`, for logs: a one-time link (`/register/verify?token=…`)
 * must not become usable by whoever reads the log. Everything else stays as it was.
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const hashStart = url.indexOf('#', queryStart);
  const end = hashStart < 0 ? url.length : hashStart;
  const query = url
    .slice(queryStart + 1, end)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      return equals >= 0 && SECRET_PARAMETER.test(decodedName(name)) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, queryStart + 1)}${query}${url.slice(end)}`;
}

/** A parsed query object with secret parameters' values replaced (see `redactUrl`). */
export function redactQuery(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  return Object.fromEntries(Object.entries(query).map(([name, value]) => [name, SECRET_PARAMETER.test(name) ? REDACTED : value]));
}
