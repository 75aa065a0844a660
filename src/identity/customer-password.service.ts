import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { EmailService } from '../notifications/email.service';
import { Language } from './customer-account.entity';
import { accountKey, CustomerLoginService } from './customer-login.service';
import { LoginThrottleService, ThrottleCheck } from './login-throttle.service';
import { hashPassword, verifyPassword } from './password-hasher';
import { checkPassword, PasswordProblem } from './password-policy';
import { createAccountToken, findLiveToken } from './registration.service';
import { SecurityAuditService } from './security-audit.service';
import { SessionService } from './session.service';

export const RESET_LINK_HOURS = 1;

export type PasswordChangeResult =
  { ok: true } | { ok: false; reason: 'currentWrong' | PasswordProblem } | { ok: false; reason: 'locked'; retryAfterSeconds: number };

export type PasswordConfirmation =
  { ok: true; throttleKey: string } | { ok: false; reason: 'wrong' } | { ok: false; reason: 'locked'; retryAfterSeconds: number };

/** "Jelszó változtatás" and the e-mailed password reset. */
@Injectable()
export class CustomerPasswordService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly logins: CustomerLoginService,
    private readonly throttle: LoginThrottleService,
    private readonly sessions: SessionService,
    private readonly audit: SecurityAuditService,
    private readonly email: EmailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks the current password (throttled like a login), sets the new one, ends the other sessions. */
  async change(
    ref: { companyId: number; customerId: number },
    current: string,
    next: string,
    keepSessionId: string | undefined,
    ip: string | null,
  ): Promise<PasswordChangeResult> {
    const confirmed = await this.confirmPassword(ref, current);
    if (!confirmed.ok) return confirmed.reason === 'wrong' ? { ok: false, reason: 'currentWrong' } : confirmed;
    const problem = checkPassword(next);
    if (problem) return { ok: false, reason: problem };
    const hash = await hashPassword(next);
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE customer_accounts SET password_hash = $3 WHERE company_id = $1 AND customer_id = $2`, [
        ref.companyId,
        ref.customerId,
        hash,
      ]);
      await this.audit.record(manager, {
        companyId: ref.companyId,
        actorKind: 'customer',
        actorId: ref.customerId,
        event: 'password_changed',
        ip,
      });
      // Last step before the commit: if Redis fails, the old password stays with the old sessions.
      await this.sessions.endAllFor({ kind: 'customer', companyId: ref.companyId, id: ref.customerId }, keepSessionId);
    });
    await this.throttle.succeed(confirmed.throttleKey);
    return { ok: true };
  }

  /**
   * Checks a logged-in customer's password before a sensitive step (password change,
   * account deletion); wrong answers count towards the same lockout as logins.
   */
  async confirmPassword(ref: { companyId: number; customerId: number }, password: string): Promise<PasswordConfirmation> {
    const throttleKey = accountKey(ref.companyId, ref, '');
    const check = await this.throttle.check(throttleKey);
    if (!check.allowed) return { ok: false, reason: 'locked', retryAfterSeconds: check.retryAfterSeconds };
    const stored: Array<{ password_hash: string | null }> = await this.dataSource.query(
      `SELECT password_hash FROM customer_accounts WHERE company_id = $1 AND customer_id = $2`,
      [ref.companyId, ref.customerId],
    );
    if (!(await verifyPassword(stored[0]?.password_hash, password))) {
      const { lockedForSeconds } = await this.throttle.fail(throttleKey);
      return lockedForSeconds > 0 ? { ok: false, reason: 'locked', retryAfterSeconds: lockedForSeconds } : { ok: false, reason: 'wrong' };
    }
    return { ok: true, throttleKey };
  }

  /** Same answer whatever happens; e-mails a 1-hour link to the account's own address when one matches. */
  async requestReset(input: { companyId: number; identifier: string; language: Language; ip: string | null }): Promise<ThrottleCheck> {
    const allowed = await this.throttle.consumeAttempt(input.ip, `reset:${input.companyId}:${input.identifier.toLowerCase()}`);
    if (!allowed.allowed) return allowed;
    const account = await this.logins.findAccount(input.companyId, input.identifier);
    if (!account) return { allowed: true };
    await this.dataSource.transaction(async (manager) => {
      const token = await createAccountToken(manager, {
        companyId: account.companyId,
        customerId: account.customerId,
        purpose: 'reset_password',
        email: account.email,
        validHours: RESET_LINK_HOURS,
      });
      await this.email.queue(manager, {
        companyId: account.companyId,
        template: 'password-reset',
        language: account.language,
        to: account.email,
        params: { link: `${this.config.PUBLIC_URL}/password/reset?token=${token}`, expiresInHours: RESET_LINK_HOURS },
      });
    });
    return { allowed: true };
  }

  async resetLinkIsLive(token: unknown): Promise<boolean> {
    return (await findLiveToken(this.dataSource.manager, token, 'reset_password')) !== null;
  }

  /** Sets a new password from a reset link, uses the link up and ends every session. */
  async completeReset(
    token: unknown,
    password: string,
    ip: string | null,
  ): Promise<{ ok: true } | { ok: false; reason: 'invalidLink' | PasswordProblem }> {
    const problem = checkPassword(password);
    if (problem) return { ok: false, reason: problem };
    if (!(await this.resetLinkIsLive(token))) return { ok: false, reason: 'invalidLink' };
    const hash = await hashPassword(password);
    const done = await this.dataSource.transaction(async (manager) => {
      const row = await findLiveToken(manager, token, 'reset_password', true);
      if (!row) return undefined;
      const updated: [unknown, number] = await manager.query(
        `UPDATE customer_accounts SET password_hash = $3 WHERE company_id = $1 AND customer_id = $2`,
        [row.companyId, row.customerId, hash],
      );
      await manager.query(
        `UPDATE account_tokens SET used_at = now() WHERE company_id = $1 AND customer_id = $2 AND purpose = 'reset_password' AND used_at IS NULL`,
        [row.companyId, row.customerId],
      );
      if (updated[1] === 0) return undefined;
      await this.audit.record(manager, {
        companyId: row.companyId,
        actorKind: 'customer',
        actorId: row.customerId,
        event: 'password_reset',
        ip,
      });
      // Last step before the commit: if Redis fails, nothing is reset and no session outlives it.
      await this.sessions.endAllFor({ kind: 'customer', companyId: row.companyId, id: row.customerId });
      return row;
    });
    if (!done) return { ok: false, reason: 'invalidLink' };
    await this.throttle.succeed(accountKey(done.companyId, done, ''));
    return { ok: true };
  }
}
