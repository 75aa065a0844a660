import { Inject, Injectable } from '@nestjs/common';
import IORedis from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { InteractiveRedis } from '../core/interactive-redis.service';
import { ACCOUNT_LOCKOUT, IP_LOCKOUT, LockoutPolicy, lockoutSeconds } from './throttle-policy';

export type ThrottleCheck = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** How many attempts (successful or not) an action may make per hour, by key kind. */
const HOURLY_ATTEMPTS = { ip: 30, account: 5 } as const;

/** A key for an IP address; every other key is an account key. */
export function ipKey(ip: string | null | undefined): string {
  return `ip:${ip ?? 'unknown'}`;
}

/**
 * ASVS L2 (V2.2.1): at most this many failed attempts an hour per account, whatever proof
 * of ownership comes with them (see LoginUnlockService).
 */
export const ACCOUNT_FAILURES_PER_HOUR = 100;

/** How long a failure counter lives without a success (and so how long a key stays linked, see `fail`). */
const FAILURE_MEMORY_SECONDS = 24 * 3600;

/**
 * Failed-attempt counters and locks in Redis (rate-limiter-flexible), shared by every
 * app instance. Keys name what is throttled: `ip:1.2.3.4` (IP policy) or an account or
 * login identifier such as `customer:7:123` or `customer-login:7:code:SU0044` (account
 * policy). A failure counter lives for a day and is cleared by a success; each failure
 * past the free ones locks the key for a doubling wait (see throttle-policy.ts).
 */
@Injectable()
export class LoginThrottleService {
  private readonly failures: RateLimiterRedis;
  private readonly locks: RateLimiterRedis;
  private readonly attemptsPerIp: RateLimiterRedis;
  private readonly attemptsPerAccount: RateLimiterRedis;
  private readonly accountFailuresPerHour: RateLimiterRedis;
  private readonly redis: IORedis;
  private readonly linkPrefix: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig, redis: InteractiveRedis) {
    // The fail-fast connection: a login during a Redis outage is refused at once, not after it.
    const storeClient = redis.client;
    const prefix = `${config.REDIS_KEY_PREFIX}throttle`;
    this.redis = storeClient;
    this.linkPrefix = `${prefix}:cleared-with:`;
    this.failures = new RateLimiterRedis({ storeClient, keyPrefix: `${prefix}:fail`, points: 1_000_000, duration: FAILURE_MEMORY_SECONDS });
    this.locks = new RateLimiterRedis({ storeClient, keyPrefix: `${prefix}:lock`, points: 1, duration: 1 });
    this.attemptsPerIp = new RateLimiterRedis({ storeClient, keyPrefix: `${prefix}:ip-hour`, points: HOURLY_ATTEMPTS.ip, duration: 3600 });
    this.accountFailuresPerHour = new RateLimiterRedis({
      storeClient,
      keyPrefix: `${prefix}:account-failures-hour`,
      points: ACCOUNT_FAILURES_PER_HOUR,
      duration: 3600,
    });
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

  /** Whether the account (`customer:<company>:<id>`, `clerk:<company>:<id>`) is under its hourly failure cap. */
  async checkAccountCap(accountRef: string): Promise<ThrottleCheck> {
    const counted = await this.accountFailuresPerHour.get(accountRef);
    if (counted && counted.consumedPoints >= ACCOUNT_FAILURES_PER_HOUR && counted.msBeforeNext > 0) {
      return { allowed: false, retryAfterSeconds: Math.ceil(counted.msBeforeNext / 1000) };
    }
    return { allowed: true };
  }

  /** Counts a failed attempt against the account's hourly cap. */
  async countAccountFailure(accountRef: string): Promise<void> {
    await this.accountFailuresPerHour.penalty(accountRef, 1);
  }

  /** Every key must be allowed; otherwise the longest wait among them. */
  async checkAll(keys: string[]): Promise<ThrottleCheck> {
    const results = await Promise.all(keys.map((key) => this.check(key)));
    const waits = results.flatMap((result) => (result.allowed ? [] : [result.retryAfterSeconds]));
    return waits.length === 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(...waits) };
  }

  /**
   * Counts a failure; returns how long the key is now locked (0: not locked). With
   * `clearedWith`, a later `succeed(clearedWith)` clears this key too (for a day, as
   * long as the failure counter lives): a customer's login identifiers are cleared by
   * a success of the account (a login, a password reset or change).
   */
  async fail(key: string, options: { clearedWith?: string } = {}): Promise<{ lockedForSeconds: number }> {
    const counted = await this.failures.penalty(key, 1);
    const seconds = lockoutSeconds(counted.consumedPoints, this.policyFor(key));
    if (seconds > 0) await this.locks.block(key, seconds);
    if (options.clearedWith !== undefined) {
      const link = this.linkPrefix + options.clearedWith;
      await this.redis.multi().sadd(link, key).expire(link, FAILURE_MEMORY_SECONDS).exec();
    }
    return { lockedForSeconds: seconds };
  }

  /** A success clears the key's failures and lock, and those of the keys linked to it (see `fail`). */
  async succeed(key: string): Promise<void> {
    const link = this.linkPrefix + key;
    const linked = await this.redis.smembers(link);
    await Promise.all([key, ...linked].flatMap((each) => [this.failures.delete(each), this.locks.delete(each)]));
    // SREM, not DEL: a key linked meanwhile stays linked.
    if (linked.length > 0) await this.redis.srem(link, ...linked);
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
