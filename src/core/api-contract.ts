import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';

/** The name of the bearer scheme in the OpenAPI document (`Authorization: Bearer <token>`). */
export const BEARER_SCHEME = 'bearer';

/** The name of the billing back office's API-key scheme (`Authorization: Bearer ik_…`, created by an admin). */
export const INTEGRATION_KEY_SCHEME = 'integrationKey';

/** One refused field of a form-like request (a data change). */
export class FieldErrorResponse {
  @ApiProperty({ example: 'postcode' }) field!: string;
  @ApiProperty({ example: 'invalid_postcode' }) code!: string;
  @ApiProperty({ example: 'A postcode is 4 digits' }) message!: string;
}

/**
 * The one error body every JSON answer with a 4xx or 5xx status has (Nest's shape,
 * plus the fields some refusals add). Clients read `statusCode` and `message`;
 * `code` tells refusals of the same status apart.
 */
export class ErrorResponse {
  @ApiProperty({ example: 404, description: 'The HTTP status again' })
  statusCode!: number;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: 'No such request',
    description: 'What went wrong; invalid input lists one message per problem',
  })
  message!: string | string[];

  @ApiPropertyOptional({ example: 'Not Found', description: 'The status text' })
  error?: string;

  @ApiPropertyOptional({
    example: 'version_conflict',
    description: 'A machine-readable reason (workflow, reading, payment and data change refusals)',
  })
  code?: string;

  @ApiPropertyOptional({ example: 900, description: 'With 429: seconds until another attempt is allowed' })
  retryAfterSeconds?: number;

  @ApiPropertyOptional({ description: 'With a clerk login’s 401: the password was right, the TOTP code is missing' })
  totpRequired?: boolean;

  @ApiPropertyOptional({ example: 'in_review', description: 'With event_not_accepted or already_reported: the current state' })
  state?: string;

  @ApiPropertyOptional({ example: 'WITHDRAW', description: 'With a workflow refusal: the event that was refused' })
  event?: string;

  @ApiPropertyOptional({ example: 3, description: 'With version_conflict: the version the client sent' })
  expectedVersion?: number;

  @ApiPropertyOptional({ example: 4, description: 'With version_conflict: the current version' })
  actualVersion?: number;

  @ApiPropertyOptional({ example: 17, description: 'With already_reported: the request already in review' })
  requestId?: number;

  @ApiPropertyOptional({
    type: String,
    example: '2026-12-01',
    nullable: true,
    description: 'With window_closed: when the reading window opens next',
  })
  nextOpensOn?: string | null;

  @ApiPropertyOptional({ example: 1234.5, description: 'With below_last: the last billable reading' })
  lastValue?: number;

  @ApiPropertyOptional({ example: '2026-10-31', description: 'With below_last: the date of the last billable reading' })
  lastReadOn?: string;

  @ApiPropertyOptional({ type: [FieldErrorResponse], description: 'With invalid (a data change): one entry per field refused' })
  errors?: FieldErrorResponse[];

  @ApiPropertyOptional({
    type: [Number],
    example: [41],
    description: 'With item_not_found (a payment): the debt items that are not open items of yours',
  })
  debtItemIds?: number[];

  @ApiPropertyOptional({ example: 88, description: 'With gateway_unavailable: the payment the bank could not start' })
  paymentId?: number;
}

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500 | 502 | 503;

/** What each error status means for one operation, in the reader's words. */
export type ErrorAnswers = Partial<Record<ErrorStatus, string>>;

const STATUS_TEXT: Record<ErrorStatus, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

/** The statuses whose answer says, in Retry-After, when to try again. */
const WITH_RETRY_AFTER: ReadonlySet<ErrorStatus> = new Set([429, 503]);

const RETRY_AFTER_HEADER = { description: 'Seconds until another attempt may succeed', schema: { type: 'integer', minimum: 1 } };

/** The 429 of every `@WriteLimited()` operation (the write limit guard adds it to the document itself). */
export const WRITE_LIMIT_EXCEEDED = 'More writes a minute than WRITE_LIMIT_PER_MINUTE; Retry-After says when to try again';

/**
 * The 503 every operation may answer: a database or Redis connection that fails is answered at once
 * (HtmlExceptionFilter), and every request with a token or session cookie is looked up in Redis.
 */
const BACKING_SERVICE_UNAVAILABLE = 'The database or Redis is briefly unavailable; Retry-After says when to try again';

/** The same 503 behind a login, where every call needs the session store. */
const SESSION_STORE_UNAVAILABLE = 'The session store (Redis) or the database is briefly unavailable; Retry-After says when to try again';

/**
 * Documents error answers, each with the shared `ErrorResponse` schema and an example.
 * `@ApiErrorResponses({ 404: 'Not one of your meters', 409: 'Outside the reading window' })`
 */
export function ApiErrorResponses(answers: ErrorAnswers): MethodDecorator & ClassDecorator {
  const decorators = (Object.entries(answers) as [string, string][]).map(([code, description]) => {
    const status = Number(code) as ErrorStatus;
    return ApiResponse({
      status,
      description,
      ...(WITH_RETRY_AFTER.has(status) ? { headers: { 'Retry-After': RETRY_AFTER_HEADER } } : {}),
      content: {
        'application/json': {
          schema: { $ref: getSchemaPath(ErrorResponse) },
          example: { statusCode: status, error: STATUS_TEXT[status], message: description },
        },
      },
    });
  });
  return applyDecorators(ApiExtraModels(ErrorResponse), ...decorators);
}

/** The 403 of any public POST, PUT or DELETE: the CSRF check of cookie sessions (an API client sends no cookie). */
export const COOKIE_WITHOUT_CSRF = 'Sent with a cookie session but without its CSRF header (API clients send no cookie)';

/** Who may call an operation: anyone, a customer's token, a clerk's token, or the billing back office's API key. */
export type ApiAccess = 'public' | 'customer' | 'clerk' | 'integration';

/** The refusals every operation may give, by who may call it: a login guard's 401 and 403, and the outage's 503. */
const ACCESS_ERRORS: Record<ApiAccess, ErrorAnswers> = {
  public: { 503: BACKING_SERVICE_UNAVAILABLE },
  customer: {
    401: 'No valid bearer token: log in first',
    403: 'The token is not a customer’s (a clerk’s), or a cookie session without its CSRF header',
    503: SESSION_STORE_UNAVAILABLE,
  },
  clerk: {
    401: 'No valid bearer token: log in first',
    403: 'The token is not a clerk’s, the clerk must enrol a second factor first, or the role is too low',
    503: SESSION_STORE_UNAVAILABLE,
  },
  integration: {
    401: 'No valid integration API key: missing, unknown, revoked, or not an integration key',
    503: BACKING_SERVICE_UNAVAILABLE,
  },
};

export interface ApiEndpointOptions {
  /** camelCase and unique in the API: generated clients turn it into a method name. */
  operationId: string;
  /** One line: what the operation does (and the role it needs, if any). */
  summary: string;
  description?: string;
  access: ApiAccess;
  /**
   * The error answers this operation gives besides the login guard's 401 and 403 and the outage's 503 (a status
   * here replaces their text). The 429 of a `@WriteLimited()` operation comes with that decorator.
   */
  errors?: ErrorAnswers;
}

/**
 * Everything a client generator needs about one JSON operation apart from its success
 * answer: a method name, a summary, its security (bearer, or none for public ones) and
 * every error status it answers. Pair it with `@ApiOkResponse({ type })` or similar.
 */
export function ApiEndpoint(options: ApiEndpointOptions): MethodDecorator {
  const { access, errors = {}, ...operation } = options;
  // An empty requirement list marks a public operation explicitly (Redocly's security-defined).
  const security = access === 'public' ? [] : [{ [access === 'integration' ? INTEGRATION_KEY_SCHEME : BEARER_SCHEME]: [] }];
  return applyDecorators(ApiOperation({ ...operation, security }), ApiErrorResponses({ ...ACCESS_ERRORS[access], ...errors }));
}
