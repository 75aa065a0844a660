import { Inject, Injectable } from '@nestjs/common';
import { DataSource, IsNull } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { InteractiveRedis } from '../core/interactive-redis.service';
import { mustEnrolTotpNow } from './clerk-roles';
import { Clerk, ClerkRole } from './clerk.entity';
import { Company } from './company.entity';
import { LoginThrottleService, ThrottleCheck } from './login-throttle.service';
import { LoginUnlockService } from './login-unlock.service';
import { Language } from '../web/i18n';
import { verifyPassword } from './password-hasher';
import { SecurityAuditService } from './security-audit.service';
import { hashSecret, looksLikeSecret, newSecret } from '../../libs/crypto/tokens';
import { generateTotpSecret, normaliseTotpCode, totpUri, verifyTotp } from './totp';
import { clerkTotpContext, openTotpSecret, parseTotpKeyring, sealedWithCurrentKey, sealTotpSecret, TotpKeyring } from './totp-secret-box';

/** What a successful clerk login gives the session. */
export interface ClerkIdentity {
  companyId: number;
  clerkId: number;
  name: string;
  role: ClerkRole;
  /** A clerk without a second factor and no grace period left (see mustEnrolTotpNow) may only enrol one. */
  mustEnrolTotp: boolean;
}

export type ClerkLoginResult =
  | { kind: 'ok'; clerk: ClerkIdentity }
  /** Password right, a TOTP code is needed: finish with `completeTotp(pendingToken, code)`. */
  | { kind: 'totpRequired'; pendingToken: string }
  | { kind: 'invalid' }
  | { kind: 'locked'; retryAfterSeconds: number };

export interface ClerkLoginInput {
  companyCode: string;
  email: string;
  password: string;
  /** Given with the password (API), the code is checked in the same step. */
  totpCode?: string;
  ip: string | null;
  /** The remembered-device cookie, if the browser has one (see LoginUnlockService). */
  deviceToken?: string;
}

export interface TotpEnrolment {
  secret: string;
  uri: string;
}

/** A pending second-factor step lives this long. */
const PENDING_SECONDS = 300;
/** A started enrolment lives this long. */
const ENROLMENT_SECONDS = 900;
/** A code once used is refused for the rest of its validity (3 steps with the drift window). */
const USED_CODE_SECONDS = 90;

/**
 * Back-office login: company + e-mail + password, then a TOTP code when the clerk
 * has enrolled one. Throttled per account (company + e-mail, known or not) and per
 * IP through the shared LoginThrottleService; every outcome goes to the audit trail.
 * The answer to a wrong company, e-mail, password or code is the same `invalid`.
 */
@Injectable()
export class ClerkAuthService {
  private readonly keyring: TotpKeyring;

  constructor(
    private readonly dataSource: DataSource,
    private readonly throttle: LoginThrottleService,
    private readonly audit: SecurityAuditService,
    private readonly interactiveRedis: InteractiveRedis,
    private readonly unlock: LoginUnlockService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.keyring = parseTotpKeyring(config.TOTP_ENCRYPTION_KEYS);
  }

  async login(input: ClerkLoginInput): Promise<ClerkLoginResult> {
    const company = await this.dataSource.manager.findOne(Company, { where: { code: input.companyCode } });
    const clerk = company ? await this.clerkByEmail(company.id, input.email) : null;
    const ref = clerk?.active ? ({ kind: 'clerk', companyId: clerk.companyId, id: clerk.id } as const) : undefined;
    // A device the clerk logged in from (or unlocked by e-mail) counts on its own lock instead of the login name's.
    const { keys, check, accountCapKey } = await this.unlock.loginKeys(
      loginNameKey(company?.id ?? 0, input.email),
      input.ip,
      ref,
      input.deviceToken,
    );
    if (!check.allowed) return { kind: 'locked', retryAfterSeconds: check.retryAfterSeconds };

    // An inactive clerk's password is not even checked: the answer is the same as for a wrong one.
    const passwordOk = await verifyPassword(clerk?.active ? clerk.passwordHash : null, input.password);
    if (!company || !clerk || !passwordOk) {
      const detail = !clerk ? 'unknown account' : !clerk.active ? 'inactive account' : 'wrong password';
      return this.failed(keys, accountCapKey, company?.id ?? null, clerk?.id ?? null, input.ip, detail);
    }
    if (clerk.totpSecret === null) return this.succeeded(keys, clerk, input.ip);
    if (input.totpCode !== undefined) return this.checkCode(keys, accountCapKey, clerk, input.totpCode, input.ip);

    const pendingToken = newSecret();
    await this.redis.set(
      this.key('clerk-totp-pending', hashSecret(pendingToken)),
      JSON.stringify({ companyId: clerk.companyId, clerkId: clerk.id, keys, accountCapKey }),
      'EX',
      PENDING_SECONDS,
    );
    return { kind: 'totpRequired', pendingToken };
  }

  /** The second step of a page login. */
  async completeTotp(pendingToken: string, code: string, ip: string | null): Promise<ClerkLoginResult> {
    if (!looksLikeSecret(pendingToken)) return { kind: 'invalid' };
    const pendingKey = this.key('clerk-totp-pending', hashSecret(pendingToken));
    const stored = await this.redis.get(pendingKey);
    if (!stored) return { kind: 'invalid' };
    const pending = JSON.parse(stored) as { companyId: number; clerkId: number; keys: string[]; accountCapKey?: string };
    const allowed = await this.throttle.checkAll(pending.keys);
    if (!allowed.allowed) return { kind: 'locked', retryAfterSeconds: allowed.retryAfterSeconds };
    const clerk = await this.dataSource.manager.findOne(Clerk, { where: { companyId: pending.companyId, id: pending.clerkId } });
    if (!clerk || !clerk.active) return { kind: 'invalid' };
    const result = await this.checkCode(pending.keys, pending.accountCapKey, clerk, code, ip);
    if (result.kind === 'ok') await this.redis.del(pendingKey);
    return result;
  }

  /** Mails a one-time unlock link to the clerk's own address; the page answers the same whether or not the clerk exists. */
  async sendUnlockLink(input: { companyCode: string; email: string; ip: string | null; language: Language }): Promise<ThrottleCheck> {
    const company = await this.dataSource.manager.findOne(Company, { where: { code: input.companyCode } });
    const clerk = company ? await this.clerkByEmail(company.id, input.email) : null;
    return this.unlock.sendUnlockLink({
      ref: clerk?.active ? { kind: 'clerk', companyId: clerk.companyId, id: clerk.id } : undefined,
      typedKey: loginNameKey(company?.id ?? 0, input.email),
      email: clerk?.active ? clerk.email : undefined,
      language: input.language,
      ip: input.ip,
      path: '/backoffice/login/unlock',
    });
  }

  /** Whether the clerk still exists, is active, and what the guard needs to know, fresh from the database. */
  async current(companyId: number, clerkId: number): Promise<ClerkIdentity | undefined> {
    const clerk = await this.dataSource.manager.findOne(Clerk, { where: { companyId, id: clerkId } });
    return clerk?.active ? this.identity(clerk) : undefined;
  }

  /**
   * Starts (or shows again) an enrolment: a new secret kept in Redis until a code
   * confirms it. A clerk who has a second factor cannot replace it here, or a stolen
   * session would be enough to take the second factor over.
   */
  async startTotpEnrolment(companyId: number, clerkId: number): Promise<TotpEnrolment | 'alreadyEnrolled' | undefined> {
    const clerk = await this.dataSource.manager.findOne(Clerk, { where: { companyId, id: clerkId } });
    if (!clerk?.active) return undefined;
    if (clerk.totpSecret !== null) return 'alreadyEnrolled';
    const enrolmentKey = this.key('clerk-totp-enrolment', `${companyId}:${clerkId}`);
    // Sealed in Redis too: a Redis dump must not hand out a secret about to be enrolled.
    const context = enrolmentContext(companyId, clerkId);
    const stored = await this.redis.get(enrolmentKey);
    const secret = stored ? openTotpSecret(stored, context, this.keyring) : generateTotpSecret();
    if (!stored) await this.redis.set(enrolmentKey, sealTotpSecret(secret, context, this.keyring), 'EX', ENROLMENT_SECONDS);
    const company = await this.dataSource.manager.findOneOrFail(Company, { where: { id: companyId } });
    return { secret, uri: totpUri(secret, `${clerk.email} (${company.code})`) };
  }

  /** Saves the started secret when `code` proves the app has it; false when the code is wrong or nothing was started. */
  async confirmTotpEnrolment(companyId: number, clerkId: number, code: string, ip: string | null): Promise<boolean> {
    const enrolmentKey = this.key('clerk-totp-enrolment', `${companyId}:${clerkId}`);
    const stored = await this.redis.get(enrolmentKey);
    const secret = stored ? openTotpSecret(stored, enrolmentContext(companyId, clerkId), this.keyring) : null;
    if (!secret || !verifyTotp(secret, code)) return false;
    if (!(await this.markCodeUsed(clerkId, code))) return false;
    const sealed = sealTotpSecret(secret, clerkTotpContext(companyId, clerkId), this.keyring);
    await this.dataSource.transaction(async (manager) => {
      const saved = await manager.update(Clerk, { companyId, id: clerkId, totpSecret: IsNull() }, { totpSecret: sealed });
      if (saved.affected !== 1) throw new Error(`Clerk ${clerkId} already has a second factor`);
      await this.audit.record(manager, { companyId, actorKind: 'clerk', actorId: clerkId, event: 'totp_enrolled', ip });
    });
    await this.redis.del(enrolmentKey);
    return true;
  }

  async recordLogout(companyId: number, clerkId: number, ip: string | null): Promise<void> {
    await this.audit.record(undefined, { companyId, actorKind: 'clerk', actorId: clerkId, event: 'logout', ip });
  }

  private async checkCode(
    keys: string[],
    accountCapKey: string | undefined,
    clerk: Clerk,
    code: string,
    ip: string | null,
  ): Promise<ClerkLoginResult> {
    const secret =
      clerk.totpSecret === null ? null : openTotpSecret(clerk.totpSecret, clerkTotpContext(clerk.companyId, clerk.id), this.keyring);
    if (!verifyTotp(secret, code) || !(await this.markCodeUsed(clerk.id, code))) {
      return this.failed(keys, accountCapKey, clerk.companyId, clerk.id, ip, 'wrong TOTP code');
    }
    if (secret !== null && clerk.totpSecret !== null && !sealedWithCurrentKey(clerk.totpSecret, this.keyring)) {
      // After a key rotation: sealed again with the current key, so the old key can be retired.
      const context = clerkTotpContext(clerk.companyId, clerk.id);
      await this.dataSource.manager.update(
        Clerk,
        { companyId: clerk.companyId, id: clerk.id, totpSecret: clerk.totpSecret },
        { totpSecret: sealTotpSecret(secret, context, this.keyring) },
      );
    }
    return this.succeeded(keys, clerk, ip);
  }

  private async succeeded(keys: string[], clerk: Clerk, ip: string | null): Promise<ClerkLoginResult> {
    await Promise.all(keys.filter((key) => !key.startsWith('ip:')).map((key) => this.throttle.succeed(key)));
    await this.audit.record(undefined, { companyId: clerk.companyId, actorKind: 'clerk', actorId: clerk.id, event: 'login_succeeded', ip });
    return { kind: 'ok', clerk: await this.identity(clerk) };
  }

  private async failed(
    keys: string[],
    accountCapKey: string | undefined,
    companyId: number | null,
    clerkId: number | null,
    ip: string | null,
    detail: string,
  ): Promise<ClerkLoginResult> {
    const results = await Promise.all(keys.map((key) => this.throttle.fail(key)));
    if (accountCapKey) await this.throttle.countAccountFailure(accountCapKey);
    const lockedFor = Math.max(...results.map((result) => result.lockedForSeconds));
    // An unknown company has nowhere to record; the throttle still counts it.
    if (companyId !== null) {
      await this.audit.record(undefined, { companyId, actorKind: 'clerk', actorId: clerkId, event: 'login_failed', ip, detail });
      if (lockedFor > 0) {
        await this.audit.record(undefined, {
          companyId,
          actorKind: 'clerk',
          actorId: clerkId,
          event: 'lockout',
          ip,
          detail: `${lockedFor} s`,
        });
      }
    }
    return lockedFor > 0 ? { kind: 'locked', retryAfterSeconds: lockedFor } : { kind: 'invalid' };
  }

  /** A code is good once: a replayed (shoulder-surfed, logged) code is refused. */
  private async markCodeUsed(clerkId: number, code: string): Promise<boolean> {
    const normalised = normaliseTotpCode(code);
    if (!normalised) return false;
    const set = await this.redis.set(this.key('clerk-totp-used', `${clerkId}:${normalised}`), '1', 'EX', USED_CODE_SECONDS, 'NX');
    return set === 'OK';
  }

  /** What a session of the clerk may do: all, or (no second factor and no grace left) only enrol one. */
  private async identity(clerk: Clerk): Promise<ClerkIdentity> {
    const company = await this.dataSource.manager.findOne(Company, {
      where: { id: clerk.companyId },
      select: { id: true, totpGraceDays: true },
    });
    const standing = {
      role: clerk.role,
      enrolled: clerk.totpSecret !== null,
      resetByAdmin: clerk.totpRequired,
      createdAt: clerk.createdAt,
    };
    return {
      companyId: clerk.companyId,
      clerkId: clerk.id,
      name: clerk.name,
      role: clerk.role,
      mustEnrolTotp: mustEnrolTotpNow(standing, company?.totpGraceDays ?? 0),
    };
  }

  private clerkByEmail(companyId: number, email: string): Promise<Clerk | null> {
    return this.dataSource.manager
      .createQueryBuilder(Clerk, 'c')
      .where('c.company_id = :companyId AND lower(c.email) = lower(:email)', { companyId, email: email.trim() })
      .getOne();
  }

  private get redis() {
    return this.interactiveRedis.client;
  }

  private key(kind: string, id: string): string {
    return `${this.config.REDIS_KEY_PREFIX}${kind}:${id}`;
  }
}

/** The throttle key of a clerk's login name (company + e-mail, known or not). */
function loginNameKey(companyId: number, email: string): string {
  return `clerk:${companyId}:${email.trim().toLowerCase()}`;
}

/** What a secret being enrolled (in Redis) is bound to. */
function enrolmentContext(companyId: number, clerkId: number): string {
  return `enrolment:${clerkTotpContext(companyId, clerkId)}`;
}
