/** How an account or IP is slowed down after failed attempts. */
export interface LockoutPolicy {
  /** Failures allowed before the first lock. */
  freeFailures: number;
  /** The first lock, in seconds; each further failure doubles it. */
  baseSeconds: number;
  /** The longest lock. */
  maxSeconds: number;
}

/**
 * Accounts (and a customer's login identifiers, each on its own: code and e-mail): 5 failures
 * lock for 1 minute, then 2, 4, 8 … up to 1 hour (at most ~12 tries an hour per key).
 */
export const ACCOUNT_LOCKOUT: LockoutPolicy = { freeFailures: 4, baseSeconds: 60, maxSeconds: 3600 };
/** One IP address may try more accounts (offices share an address), with the same doubling. */
export const IP_LOCKOUT: LockoutPolicy = { freeFailures: 19, baseSeconds: 60, maxSeconds: 3600 };

/** Seconds the key stays locked after its `failures`-th consecutive failure (0: not locked). */
export function lockoutSeconds(failures: number, policy: LockoutPolicy): number {
  const over = failures - policy.freeFailures;
  if (over <= 0) return 0;
  // Capped exponent: 2^30 would already overflow any sensible cap.
  return Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.min(over - 1, 30));
}

/** Whole minutes to tell a person ("try again in N minutes"), never 0. */
export function minutesToWait(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}
