import { Inject, Injectable } from '@nestjs/common';
import { PageReply, PageRequest } from '../web/http';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { EmailService } from '../notifications/email.service';
import { Language, translate } from '../web/i18n';
import { ipKey, LoginThrottleService, ThrottleCheck } from './login-throttle.service';
import { hashSecret, looksLikeSecret, newSecret } from '../../libs/crypto/tokens';

/** The cookie that marks a browser the account logged in from before (or proved its e-mail in). */
export const DEVICE_COOKIE = 'portal_device';
/** How long a browser stays remembered after its last login. */
const DEVICE_DAYS = 180;
/** How long an e-mailed unlock link works. */
const UNLOCK_LINK_MINUTES = 60;

/** The account a proof belongs to: `customer:<company>:<id>` or `clerk:<company>:<id>`. */
export interface AccountRef {
  kind: 'customer' | 'clerk';
  companyId: number;
  id: number;
}

function refKey(ref: AccountRef): string {
  return `${ref.kind}:${ref.companyId}:${ref.id}`;
}

/**
 * What lets an account's owner past a login lock an attacker caused: proof the attacker
 * lacks. A browser the account logged in from before carries a remembered-device cookie
 * (a random secret; Redis keeps only its hash and the accounts it vouches for); a browser
 * without one gets it by opening a one-time unlock link sent to the account's own e-mail
 * address. With that proof the correct password works despite the lock on the login name;
 * wrong passwords from the device are counted on the device's own lock, and the account's
 * hourly failure cap (LoginThrottleService) still bounds everything.
 */
@Injectable()
export class LoginUnlockService {
  private readonly prefix: string;
  private readonly secureCookie: boolean;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueuesService,
    private readonly dataSource: DataSource,
    private readonly email: EmailService,
    private readonly throttle: LoginThrottleService,
  ) {
    this.prefix = config.REDIS_KEY_PREFIX;
    this.secureCookie = config.PUBLIC_URL.startsWith('https://');
  }

  private get redis() {
    return this.queues.connection;
  }

  /** The remembered-device token the request carries, if any. */
  deviceToken(req: PageRequest): string | undefined {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[DEVICE_COOKIE];
    return typeof value === 'string' && looksLikeSecret(value) ? value : undefined;
  }

  /** The throttle key of the device when it vouches for `ref`, else null. */
  async deviceKeyFor(deviceToken: string | undefined, ref: AccountRef): Promise<string | null> {
    if (!deviceToken) return null;
    const hash = hashSecret(deviceToken);
    return (await this.redis.sismember(this.deviceRedisKey(hash), refKey(ref))) === 1 ? `device:${hash}` : null;
  }

  /** After a login (or an unlock link): this browser vouches for `ref` from now on. */
  async remember(req: PageRequest, res: PageReply, ref: AccountRef): Promise<void> {
    const token = this.deviceToken(req) ?? newSecret();
    const key = this.deviceRedisKey(hashSecret(token));
    await this.redis
      .multi()
      .sadd(key, refKey(ref))
      .expire(key, DEVICE_DAYS * 86_400)
      .exec();
    res.setCookie(DEVICE_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secureCookie,
      path: '/',
      maxAge: DEVICE_DAYS * 86_400, // seconds
    });
  }

  /**
   * Mails a one-time unlock link to the account's own address. The caller answers the same
   * whatever happened (an unknown login gets no mail); throttled like a password reset request.
   */
  async sendUnlockLink(input: {
    ref: AccountRef | undefined;
    typedKey: string;
    email: string | undefined;
    language: Language;
    ip: string | null;
    path: '/login/unlock' | '/backoffice/login/unlock';
  }): Promise<ThrottleCheck> {
    const allowed = await this.throttle.consumeAttempt(input.ip, `unlock:${input.typedKey}`);
    if (!allowed.allowed || !input.ref || !input.email) return allowed;
    const token = newSecret();
    await this.redis.set(this.unlockRedisKey(hashSecret(token)), JSON.stringify(input.ref), 'EX', UNLOCK_LINK_MINUTES * 60);
    const t = (key: string, params = {}) => translate(input.language, key, params);
    const { ref, email, language } = input;
    await this.dataSource.transaction((manager) =>
      this.email.queue(manager, {
        companyId: ref.companyId,
        template: 'notification',
        language,
        to: email,
        params: {
          title: t('identity.unlock.mailTitle'),
          lines: [t('identity.unlock.mailLine1'), t('identity.unlock.mailLine2', { minutes: UNLOCK_LINK_MINUTES })],
          link: { url: `${this.config.PUBLIC_URL}${input.path}?token=${token}`, label: t('identity.unlock.mailLink') },
        },
      }),
    );
    return allowed;
  }

  /** Uses up an unlock link: this browser is remembered for its account. False when the link is unknown, used or expired. */
  async redeemUnlockLink(token: unknown, req: PageRequest, res: PageReply): Promise<boolean> {
    if (typeof token !== 'string' || !looksLikeSecret(token)) return false;
    const stored = await this.redis.getdel(this.unlockRedisKey(hashSecret(token)));
    if (!stored) return false;
    await this.remember(req, res, JSON.parse(stored) as AccountRef);
    return true;
  }

  /**
   * Which throttle keys a login counts on and whether it may try now: the login name's
   * lock, unless this device vouches for the account (then the device's own lock); the
   * IP's lock and the account's hourly cap always.
   */
  async loginKeys(loginKey: string, ip: string | null, ref: AccountRef | undefined, deviceToken: string | undefined) {
    const deviceKey = ref ? await this.deviceKeyFor(deviceToken, ref) : null;
    const keys = [deviceKey ?? loginKey, ipKey(ip)];
    // A name that is no account gets a cap of its own: the same Redis work, so timing tells nothing.
    const accountCapKey = ref ? refKey(ref) : `none:${loginKey}`;
    const checks = await Promise.all([this.throttle.checkAll(keys), this.throttle.checkAccountCap(accountCapKey)]);
    const waits = checks.flatMap((check) => (check.allowed ? [] : [check.retryAfterSeconds]));
    const check: ThrottleCheck = waits.length === 0 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(...waits) };
    return { keys, check, accountCapKey };
  }

  private deviceRedisKey(hash: string): string {
    return `${this.prefix}device:${hash}`;
  }

  private unlockRedisKey(hash: string): string {
    return `${this.prefix}unlock:${hash}`;
  }
}
