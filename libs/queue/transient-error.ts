/**
 * SQLSTATEs that say "the database could not do it now", not "this is wrong":
 * connection exceptions (class 08), insufficient resources (class 53), operator
 * intervention (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
 * now, 57014 statement timeout or cancel), serialization failures and deadlocks.
 */
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53'];
const TRANSIENT_SQLSTATES = new Set(['57P01', '57P02', '57P03', '57014', '40001', '40P01']);

/** Socket and name-resolution errors of Node (ECONNREFUSED, ECONNRESET, …). */
const TRANSIENT_ERRNO = /^(ECONN\w*|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENETDOWN|EAI_AGAIN|ENOTFOUND|ESOCKETTIMEDOUT)$/;

/** Redis replies that mean "not now" (loading, failover, cluster resharding). */
const TRANSIENT_REDIS_REPLY = /^(LOADING|READONLY|CLUSTERDOWN|TRYAGAIN|MASTERDOWN|BUSY)\b/;

/**
 * Errors without a code that drivers raise when a connection is gone: node-postgres
 * and its pool, TypeORM's released query runner, ioredis without a connection.
 */
const TRANSIENT_MESSAGES = [
  /^Connection terminated/,
  /Client has encountered a connection error and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Query runner already released/,
  /^Database connection provided by a query runner was already released/,
  /^Connection is closed\.?$/,
  /^Stream isn't writeable/,
  /^Command timed out$/,
  /^Reached the max retries per request limit/,
  /^connect ETIMEDOUT/,
];

const TRANSIENT_NAMES = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
  'MaxRetriesPerRequestError',
  'ConnectionNotFoundError',
]);

/**
 * Whether an error is the infrastructure's (a dropped or refused database or Redis
 * connection, a database shutting down, a deadlock): worth retrying later, unlike
 * an error of the work itself. Looks through TypeORM's `driverError` and `cause`.
 */
export function isTransientError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    if (isTransientItself(current as ErrorLike)) return true;
    const { driverError, cause } = current as ErrorLike;
    current = driverError ?? cause;
  }
  return false;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

function isTransientItself(error: ErrorLike): boolean {
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E')) {
    return TRANSIENT_SQLSTATES.has(code) || TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2));
  }
  if (code && TRANSIENT_ERRNO.test(code)) return true;
  if (typeof error.name === 'string' && TRANSIENT_NAMES.has(error.name)) return true;
  const message = typeof error.message === 'string' ? error.message : '';
  if (error.name === 'ReplyError' && TRANSIENT_REDIS_REPLY.test(message)) return true;
  return TRANSIENT_MESSAGES.some((pattern) => pattern.test(message));
}
