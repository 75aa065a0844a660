import { CanActivate, createParamDecorator, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { PageReply, PageRequest, redirectSeeOther } from '../web/http';
import { wantsHtml } from '../web/html-exception.filter';
import { SessionService } from './session.service';

export interface CustomerRef {
  companyId: number;
  customerId: number;
}

/** Pages redirect an anonymous visitor to the login page; the API answers 401. */
function refuseAnonymous(req: PageRequest, res: PageReply, loginPath: string): never {
  if (wantsHtml(req) && req.method === 'GET') {
    const next = req.originalUrl.startsWith('/') && !req.originalUrl.startsWith('//') ? req.originalUrl : '/';
    redirectSeeOther(res, `${loginPath}?next=${encodeURIComponent(next)}`);
  }
  // With the redirect sent, the exception filter only ends the response.
  throw new UnauthorizedException('Log in first');
}

/** Lets only a logged-in customer through. */
@Injectable()
export class CustomerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<PageRequest>();
    const principal = req.principal;
    if (principal?.kind === 'customer') return true;
    if (principal?.kind === 'clerk') throw new ForbiddenException('Customers only');
    refuseAnonymous(req, http.getResponse<PageReply>(), '/login');
  }
}

/** `{ companyId, customerId }` of the logged-in customer (use with CustomerGuard). */
export const CurrentCustomer = createParamDecorator((_data: unknown, context: ExecutionContext): CustomerRef => {
  const principal = context.switchToHttp().getRequest<PageRequest>().principal;
  if (principal?.kind !== 'customer') throw new UnauthorizedException('Log in first');
  return { companyId: principal.companyId, customerId: principal.customerId };
});

/**
 * For pages that show a form: makes sure the visitor has a session (an anonymous one
 * if needed) so that `csrfToken` is in the layout context. Pages without forms set no cookie.
 */
@Injectable()
export class CsrfTokenGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<PageRequest>();
    if (!req.portalSession) await this.sessions.startAnonymous(req, http.getResponse<PageReply>());
    return true;
  }
}
