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

/** Admins must have a second factor before they may do anything else. */
export function totpRequiredFor(role: ClerkRole): boolean {
  return role === 'admin';
}

/** The roles an admin may give: every role, including admin (bound to the admin's own company). */
export function assignableRoles(actual: ClerkRole): ClerkRole[] {
  return roleAtLeast(actual, 'admin') ? [...CLERK_ROLES] : [];
}
