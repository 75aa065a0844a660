import { redactUrl } from '../../libs/logging/redact-url';

/** Paths that are credentials themselves: a calendar feed's secret URL (profile's calendar feed). */
const SECRET_PATHS = ['/calendar/'];

/** A request URL as a log may show it: a secret path cut after its prefix, secret query parameters redacted. */
export function redactLoggedUrl(url: string): string {
  const secretPath = SECRET_PATHS.find((prefix) => url.startsWith(prefix));
  return secretPath ? `${secretPath}[redacted]` : redactUrl(url);
}
