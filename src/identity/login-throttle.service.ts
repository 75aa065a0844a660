import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { ACCOUNT_LOCKOUT, IP_LOCKOUT, LockoutPolicy, lockoutSeconds } from './throttle-policy';

export type ThrottleCheck = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** How many attempts (successful or not) an action may make per hour, by key kind. */
const HOURLY_ATTEMPTS = { ip: 30, account: 5 } as const;

/** A key for an IP address; every other key is an account key. */
export function ipKey(ip: string | null | undefined): string {
  return `ip:${ip ?? 'unknown'}`;
}

/**
 * Failed-attempt counters and locks in Redis (rate-limiter-flexible), shared by every
 * app instance. Keys name what is throttled: `ip:1.2.3.4` (IP policy) or an account
 * such as `customer:7:123` (account policy). A failure counter lives for a day and is
 * cleared by a success; each failure past the free ones locks the key for a doubling
 * wait (see throttle-policy.ts).
 */
@Injectable()
export class LoginThrottleService {
  private readonly failures: RateLimiterRedis;
  private readonly locks: RateLimiterRedis;
  private readonly attemptsPerIp: RateLimiterRedis;
  private readonly attemptsPerAccount: RateLimiterRedis;

  constructor(@Inject(APP_CONFIG) config: AppConfig, queues: QueuesService) {
    const storeClient = queues.connection;
    const prefix = `${config.REDIS_KEY_PREFIX}throttle`;
    this.failures = new RateLimiterRedis({ storeClient, keyPrefix: `${prefix}:fail`, points: 1_000_000, duration: 24 * 3600 });
    this.locks = new RateLimiterRedis({ storeClient, keyPrefix: `${prefix}:lock`, points: 1, duration: 1 });
    this.attemptsPerIp = new RateLimiterRedis({ storeClient, keyPrefix: `${prefix}:ip-hour`, points: HOURLY_ATTEMPTS.ip, duration: 3600 });
    this.attemptsPerAccount = new RateLimiterRedis({
      storeClient,
      keyPrefix: `${prefix}:account-hour`,
      points: HOURLY_ATTEMPTS.account,
      duration: 3600,
    });
  }

  /** Whether `key` may try now; when locked, for how long. */
  async check(key: string): Promise<ThrottleCheck> {
    const lock = await this.locks.get(key);
    if (lock && lock.consumedPoints > 1 && lock.msBeforeNext > 0) {
      return { allowed: false, retryAfterSeconds: Math.ceil(lock.msBeforeNext / 1000) };
    }
    return { allowed: true };
  }

  /** Every key must be allowed; otherwise the longest wait among them. */
  async checkAll(keys: string[]): Promise<ThrottleCheck> {
    const results = await Promise.all(keys.map((key) => this.check(key)));
    const waits = results.flatMap((result) => (result.allowed ? [] : [result.retryAfterSeconds]));
    return waits.length === 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(...waits) };
  }

  /** Counts a failure; returns how long the key is now locked (0: not locked). */
  async fail(key: string): Promise<{ lockedForSeconds: number }> {
    const counted = await this.failures.penalty(key, 1);
    const seconds = lockoutSeconds(counted.consumedPoints, this.policyFor(key));
    if (seconds > 0) await this.locks.block(key, seconds);
    return { lockedForSeconds: seconds };
  }

  /** A success clears the key's failures and lock. */
  async succeed(key: string): Promise<void> {
    await Promise.all([this.failures.delete(key), this.locks.delete(key)]);
  }

  /**
   * Counts one attempt of an action whose outcome must not be revealed (registration,
   * password reset request): at most 30 an hour per IP and 5 per account key.
   */
  async consumeAttempt(ip: string | null, accountKey: string): Promise<ThrottleCheck> {
    try {
      await this.attemptsPerIp.consume(ipKey(ip));
      await this.attemptsPerAccount.consume(accountKey);
      return { allowed: true };
    } catch (error) {
      if (error instanceof RateLimiterRes) return { allowed: false, retryAfterSeconds: Math.ceil(error.msBeforeNext / 1000) };
      throw error;
    }
  }

  private policyFor(key: string): LockoutPolicy {
    return key.startsWith('ip:') ? IP_LOCKOUT : ACCOUNT_LOCKOUT;
  }
}
