import { CanActivate, createParamDecorator, ExecutionContext, ForbiddenException, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PageRequest } from '../web/http';
import { ClerkLoginRequired, TotpEnrolmentRequired } from '../web/backoffice-redirect.filter';
import { ClerkAuthService, ClerkIdentity } from './clerk-auth.service';
import { roleAtLeast } from './clerk-roles';
import { ClerkRole } from './clerk.entity';

const MIN_ROLE = 'backoffice:minRole';
const ALLOW_WITHOUT_TOTP = 'backoffice:allowWithoutTotp';

/** The least role a back-office handler needs (default: any clerk). */
export const MinRole = (role: ClerkRole) => SetMetadata(MIN_ROLE, role);
/** The few handlers a clerk who must enrol a second factor may reach: enrolment, logout, /me. */
export const AllowWithoutTotp = () => SetMetadata(ALLOW_WITHOUT_TOTP, true);

declare module 'fastify' {
  interface FastifyRequest {
    /** The clerk a back-office request acts for, fresh from the database. Set by BackofficeGuard. */
    backofficeClerk?: ClerkIdentity;
  }
}

/**
 * Lets through only a logged-in, active clerk with the role the handler needs.
 * The clerk is reloaded from the database on every request, so a deactivated clerk
 * or a changed role takes effect at once. A customer session gets 403 and never data.
 */
@Injectable()
export class BackofficeGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly clerks: ClerkAuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<PageRequest>();
    const principal = req.principal;
    if (principal?.kind === 'customer') throw new ForbiddenException('The back office is for clerks');
    if (principal?.kind !== 'clerk') throw new ClerkLoginRequired('Clerk login required');
    const clerk = await this.clerks.current(principal.companyId, principal.clerkId);
    if (!clerk) throw new ClerkLoginRequired('Clerk login required');
    const targets = [context.getHandler(), context.getClass()];
    if (clerk.mustEnrolTotp && !this.reflector.getAllAndOverride<boolean>(ALLOW_WITHOUT_TOTP, targets)) {
      throw new TotpEnrolmentRequired();
    }
    const required = this.reflector.getAllAndOverride<ClerkRole | undefined>(MIN_ROLE, targets) ?? 'clerk';
    if (!roleAtLeast(clerk.role, required)) throw new ForbiddenException(`This needs the ${required} role`);
    req.backofficeClerk = clerk;
    return true;
  }
}

/** The clerk BackofficeGuard let through. */
export const Clerk = createParamDecorator((_data: unknown, context: ExecutionContext): ClerkIdentity => {
  const clerk = context.switchToHttp().getRequest<PageRequest>().backofficeClerk;
  if (!clerk) throw new ClerkLoginRequired('Clerk login required');
  return clerk;
});
