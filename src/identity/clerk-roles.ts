import { CLERK_ROLES, ClerkRole } from './clerk.entity';

/** clerk < supervisor < admin: a higher role may do all that a lower one may. */
const RANK: Readonly<Record<ClerkRole, number>> = { clerk: 1, supervisor: 2, admin: 3 };

export function isClerkRole(value: unknown): value is ClerkRole {
  return typeof value === 'string' && (CLERK_ROLES as readonly string[]).includes(value);
}

/** True when a clerk of role `actual` may do what needs at least `required`. */
export function roleAtLeast(actual: ClerkRole, required: ClerkRole): boolean {
  return isClerkRole(actual) && RANK[actual] >= RANK[required];
}

/** What decides whether a clerk must enrol a second factor before anything else. */
export interface TotpStanding {
  role: ClerkRole;
  /** A second factor is enrolled. */
  enrolled: boolean;
  /** An admin reset the clerk's second factor. */
  resetByAdmin: boolean;
  createdAt: Date;
}

/**
 * Every clerk must have a second factor. An admin, and a clerk whose factor an admin reset,
 * must enrol at once; a clerk or supervisor may work for the company's grace period
 * (`graceDays` after the account was created) before enrolling.
 */
export function mustEnrolTotpNow(clerk: TotpStanding, graceDays: number, now: Date = new Date()): boolean {
  if (clerk.enrolled) return false;
  if (clerk.role === 'admin' || clerk.resetByAdmin) return true;
  return now.getTime() >= clerk.createdAt.getTime() + graceDays * 86_400_000;
}

/** The roles an admin may give: every role, including admin (bound to the admin's own company). */
export function assignableRoles(actual: ClerkRole): ClerkRole[] {
  return roleAtLeast(actual, 'admin') ? [...CLERK_ROLES] : [];
}
