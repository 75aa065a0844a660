import {
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  NotFoundException,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Request, Response } from 'express';
import { wantsHtml } from '../web/html-exception.filter';
import { ClerkRole } from './clerk.entity';
import { SessionService } from './session.service';

export interface CustomerRef {
  companyId: number;
  customerId: number;
}

export interface ClerkRef {
  companyId: number;
  clerkId: number;
  role: ClerkRole;
}

export const ROLES_KEY = 'identity:roles';

/** The clerk roles a back-office route allows (any clerk role when absent). */
export const Roles = (...roles: ClerkRole[]) => SetMetadata(ROLES_KEY, roles);

/** Pages redirect an anonymous visitor to the login page; the API answers 401. */
function refuseAnonymous(req: Request, res: Response, loginPath: string): never {
  if (wantsHtml(req) && req.method === 'GET') {
    const next = req.originalUrl.startsWith('/') && !req.originalUrl.startsWith('//') ? req.originalUrl : '/';
    res.redirect(303, `${loginPath}?next=${encodeURIComponent(next)}`);
  }
  // With the redirect sent, the exception filter only ends the response.
  throw new UnauthorizedException('Log in first');
}

/** Lets only a logged-in customer through. */
@Injectable()
export class CustomerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const principal = req.principal;
    if (principal?.kind === 'customer') return true;
    if (principal?.kind === 'clerk') throw new ForbiddenException('Customers only');
    refuseAnonymous(req, http.getResponse<Response>(), '/login');
  }
}

/** Lets only a clerk (with one of the `@Roles(...)`, if given) through; customers get 404. */
@Injectable()
export class ClerkGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const principal = req.principal;
    // A customer must not even learn which back-office routes exist.
    if (principal?.kind === 'customer') throw new NotFoundException();
    if (principal?.kind !== 'clerk') refuseAnonymous(req, http.getResponse<Response>(), '/backoffice/login');
    const roles = this.reflector.getAllAndOverride<ClerkRole[] | undefined>(ROLES_KEY, [context.getHandler(), context.getClass()]);
    if (roles && roles.length > 0 && !roles.includes(principal.role)) throw new ForbiddenException('Your role does not allow this');
    return true;
  }
}

/** `{ companyId, customerId }` of the logged-in customer (use with CustomerGuard). */
export const CurrentCustomer = createParamDecorator((_data: unknown, context: ExecutionContext): CustomerRef => {
  const principal = context.switchToHttp().getRequest<Request>().principal;
  if (principal?.kind !== 'customer') throw new UnauthorizedException('Log in first');
  return { companyId: principal.companyId, customerId: principal.customerId };
});

/** `{ companyId, clerkId, role }` of the logged-in clerk (use with ClerkGuard). */
export const CurrentClerk = createParamDecorator((_data: unknown, context: ExecutionContext): ClerkRef => {
  const principal = context.switchToHttp().getRequest<Request>().principal;
  if (principal?.kind !== 'clerk') throw new UnauthorizedException('Log in first');
  return { companyId: principal.companyId, clerkId: principal.clerkId, role: principal.role };
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
    const req = http.getRequest<Request>();
    if (!req.portalSession) await this.sessions.startAnonymous(req, http.getResponse<Response>());
    return true;
  }
}
