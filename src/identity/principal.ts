import { ClerkRole } from './clerk.entity';

/** Who a request acts for, loaded by the session middleware from the cookie or bearer token. */
export type Principal =
  | { kind: 'customer'; companyId: number; customerId: number; name: string; code: string }
  | { kind: 'clerk'; companyId: number; clerkId: number; name: string; role: ClerkRole };

/** The id a principal has within its kind (customer id or clerk id). */
export function principalId(principal: Principal): number {
  return principal.kind === 'customer' ? principal.customerId : principal.clerkId;
}
