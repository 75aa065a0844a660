import { ACCOUNT_LOCKOUT, IP_LOCKOUT, LockoutPolicy, lockoutSeconds, minutesToWait } from './throttle-policy';

/**
 * An attacker who tries again the moment each lock ends, for `windowSeconds`,
 * exactly as LoginThrottleService applies the policy (the failure counter lives
 * a day, so it never resets within the hour): how many failed tries fit in.
 */
function failuresWithin(windowSeconds: number, policy: LockoutPolicy): number {
  let now = 0;
  let failures = 0;
  while (now < windowSeconds) {
    failures += 1;
    now += lockoutSeconds(failures, policy);
    if (failures > 100_000) throw new Error('the policy never locks');
  }
  return failures;
}

describe('lockout policy', () => {
  it('lets the free failures through, then locks for a doubling wait', () => {
    const free = ACCOUNT_LOCKOUT.freeFailures;
    for (let failures = 0; failures <= free; failures += 1) expect(lockoutSeconds(failures, ACCOUNT_LOCKOUT)).toBe(0);
    const waits = [1, 2, 3, 4, 5].map((over) => lockoutSeconds(free + over, ACCOUNT_LOCKOUT));
    expect(waits).toEqual([60, 120, 240, 480, 960]);
  });

  it('caps the wait at the maximum, even for absurd failure counts', () => {
    expect(lockoutSeconds(ACCOUNT_LOCKOUT.freeFailures + 7, ACCOUNT_LOCKOUT)).toBe(3600);
    expect(lockoutSeconds(1_000, ACCOUNT_LOCKOUT)).toBe(ACCOUNT_LOCKOUT.maxSeconds);
    expect(lockoutSeconds(Number.MAX_SAFE_INTEGER, ACCOUNT_LOCKOUT)).toBe(ACCOUNT_LOCKOUT.maxSeconds);
    expect(lockoutSeconds(1_000, IP_LOCKOUT)).toBe(IP_LOCKOUT.maxSeconds);
    for (let failures = 1; failures < 200; failures += 1) {
      expect(lockoutSeconds(failures + 1, ACCOUNT_LOCKOUT)).toBeGreaterThanOrEqual(lockoutSeconds(failures, ACCOUNT_LOCKOUT));
    }
  });

  it('allows well under 100 failed tries per hour per account (simulated hour)', () => {
    const first = failuresWithin(3600, ACCOUNT_LOCKOUT);
    expect(first).toBeLessThanOrEqual(12);
    expect(first).toBeLessThan(100 / 4);
    // Every later hour the wait stays at the cap: one try an hour.
    expect(failuresWithin(24 * 3600, ACCOUNT_LOCKOUT) - first).toBeLessThanOrEqual(23);
  });

  it('keeps a customer under 25 tries in the first hour and 100 a day when code and e-mail are alternated (two keys)', () => {
    expect(2 * failuresWithin(3600, ACCOUNT_LOCKOUT)).toBeLessThanOrEqual(24);
    expect(2 * failuresWithin(24 * 3600, ACCOUNT_LOCKOUT)).toBeLessThan(100);
  });

  it('lets one IP address try more (shared offices) but still locks it within the hour', () => {
    expect(IP_LOCKOUT.freeFailures).toBeGreaterThan(ACCOUNT_LOCKOUT.freeFailures);
    expect(failuresWithin(3600, IP_LOCKOUT)).toBeLessThan(100);
  });

  it('tells a person whole minutes, never 0', () => {
    expect(minutesToWait(0)).toBe(1);
    expect(minutesToWait(1)).toBe(1);
    expect(minutesToWait(60)).toBe(1);
    expect(minutesToWait(61)).toBe(2);
    expect(minutesToWait(3600)).toBe(60);
  });
});
