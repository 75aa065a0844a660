import {
  applyDecorators,
  CallHandler,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  HttpException,
  Injectable,
  Logger,
  NestInterceptor,
  UnauthorizedException,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { Observable, tap } from 'rxjs';
import { ApiKeysService } from './api-keys.service';
import { bearerKey } from './api-key-format';
import { IntegrationPrincipal } from './integration-principal';

/**
 * What the guard and the audit interceptor read of a request: header, method, path, peer
 * address. Express and Fastify requests both have these fields, so nothing else of the
 * HTTP layer leaks into the integration module.
 */
interface IntegrationRequest {
  method: string;
  url: string;
  ip?: string;
  headers: Record<string, string | string[] | undefined>;
  integration?: IntegrationPrincipal;
  writeLimitSubject?: string;
}

const REFUSED = 'No valid integration API key: send an active key of your company as Authorization: Bearer ik_…';

function requestOf(context: ExecutionContext): IntegrationRequest {
  return context.switchToHttp().getRequest<IntegrationRequest>();
}

function operationOf(req: IntegrationRequest): string {
  return `${req.method} ${req.url.split('?')[0]}`;
}

/**
 * Lets through a call that presents an active API key (`Authorization: Bearer ik_…`)
 * and sets the integration principal, the company whose rows the call may touch. Any
 * other key (missing, malformed, unknown, wrong secret, revoked) is 401 with the one
 * message, so a caller learns nothing about which keys exist.
 */
@Injectable()
export class IntegrationKeyGuard implements CanActivate {
  private readonly logger = new Logger(IntegrationKeyGuard.name);

  constructor(private readonly keys: ApiKeysService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = requestOf(context);
    const header = req.headers.authorization;
    const call = { operation: operationOf(req), ip: req.ip ?? null };
    const result = await this.keys.authenticate(bearerKey(typeof header === 'string' ? header : undefined), call);
    if (result.kind === 'refused') {
      this.logger.warn({ reason: result.reason, operation: call.operation }, 'integration key refused');
      throw new UnauthorizedException(REFUSED);
    }
    req.integration = result.principal;
    req.writeLimitSubject = `integration:${result.principal.companyId}:${result.principal.keyId}`;
    return true;
  }
}

/** Records every call of an accepted key with its answer's status (and the import's counts) in the key's audit trail. */
@Injectable()
export class IntegrationCallAudit implements NestInterceptor {
  constructor(private readonly keys: ApiKeysService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = requestOf(context);
    const principal = req.integration;
    if (!principal) return next.handle();
    const call = { operation: operationOf(req), ip: req.ip ?? null };
    const record = (status: number, detail?: string) =>
      void this.keys.recordCall(principal, { ...call, status, detail }).catch(() => undefined);
    return next.handle().pipe(
      tap({
        next: (body) => record(context.switchToHttp().getResponse<{ statusCode: number }>().statusCode, summaryOf(body)),
        error: (error: unknown) => record(error instanceof HttpException ? error.getStatus() : 500),
      }),
    );
  }
}

/** The counts of an import answer, for the audit trail. */
function summaryOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const counts = body as Record<string, unknown>;
  const fields = ['inserted', 'updated', 'unchanged', 'rejected'].filter((field) => typeof counts[field] === 'number');
  return fields.length > 0 ? fields.map((field) => `${field}=${String(counts[field])}`).join(' ') : undefined;
}

/** Puts a controller (or handler) behind an integration API key, with every call audited. */
export const IntegrationAuth = () => applyDecorators(UseGuards(IntegrationKeyGuard), UseInterceptors(IntegrationCallAudit));

/** The integration principal IntegrationKeyGuard let through: `{ companyId, keyId }`. */
export const CurrentIntegration = createParamDecorator((_data: unknown, context: ExecutionContext): IntegrationPrincipal => {
  const principal = requestOf(context).integration;
  if (!principal) throw new UnauthorizedException(REFUSED);
  return principal;
});
