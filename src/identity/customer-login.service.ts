import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LoginThrottleService, ThrottleCheck } from './login-throttle.service';
import { LoginUnlockService } from './login-unlock.service';
import { verifyPassword } from './password-hasher';
import { Principal } from './principal';
import { SecurityAuditService } from './security-audit.service';

export interface CustomerLoginRow {
  companyId: number;
  customerId: number;
  name: string;
  code: string;
  email: string;
  passwordHash: string | null;
  language: 'hu' | 'en';
}

export type LoginResult =
  | { ok: true; principal: Extract<Principal, { kind: 'customer' }> }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'locked'; retryAfterSeconds: number };

export interface CustomerProfile {
  name: string;
  code: string;
  email: string;
  company: { id: number; name: string };
}

/**
 * The throttle key of a customer account: password confirmations of a logged-in customer
 * count on it, and a success of the account (login, password reset or change) clears the
 * failures of the identifiers it was tried with (see `loginIdentifierKey`). An identifier
 * that names no account gets a key of its own that nothing clears.
 */
export function accountKey(companyId: number, row: { customerId: number } | undefined, identifier: string): string {
  return row ? `customer:${companyId}:${row.customerId}` : `customer-unknown:${companyId}:${identifier.toLowerCase()}`;
}

/** The identifier as typed, normalised: trimmed, an e-mail address lower-cased, a customer code upper-cased. */
export function normaliseLoginIdentifier(identifier: string): { kind: 'email' | 'code'; value: string } {
  const typed = identifier.trim();
  return typed.includes('@') ? { kind: 'email', value: typed.toLowerCase() } : { kind: 'code', value: typed.toUpperCase() };
}

/**
 * The throttle key whose lock a login checks before the password: the identifier as
 * typed (normalised) in its company, whether or not it names an account. Keying the
 * lock by account would disclose which e-mail belongs to which customer code (lock the
 * code, then the account's e-mail shows "locked" too); keyed by identifier, a lock got
 * through the code never shows when the e-mail is typed, and the reverse. The price: an
 * account has two identifiers, so an attacker alternating them gets at most twice the
 * per-account budget of ACCOUNT_LOCKOUT (~24 instead of ~12 tries in the first hour),
 * still far below what guessing needs; the per-IP lock applies on top.
 */
export function loginIdentifierKey(companyId: number, identifier: string): string {
  const { kind, value } = normaliseLoginIdentifier(identifier);
  return `customer-login:${companyId}:${kind}:${value}`;
}

/** Customer login ("Ügyfélszolgálati modulba") by customer code or e-mail, and the logged-in customer's profile. */
@Injectable()
export class CustomerLoginService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly throttle: LoginThrottleService,
    private readonly audit: SecurityAuditService,
    private readonly unlock: LoginUnlockService,
  ) {}

  /** The account a customer code or login e-mail names in a company. */
  async findAccount(companyId: number, identifier: string): Promise<CustomerLoginRow | undefined> {
    const rows: Array<Record<string, string | null>> = await this.dataSource.query(
      `SELECT a.company_id, a.customer_id, c.name, c.code, a.login_email, a.password_hash, a.language
         FROM customer_accounts a JOIN customers c ON c.company_id = a.company_id AND c.id = a.customer_id
        WHERE a.company_id = $1 AND (c.code = upper($2) OR lower(a.login_email) = lower($2))
        LIMIT 1`,
      [companyId, identifier],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      companyId: Number(row.company_id),
      customerId: Number(row.customer_id),
      name: String(row.name),
      code: String(row.code),
      email: String(row.login_email),
      passwordHash: row.password_hash,
      language: row.language === 'en' ? 'en' : 'hu',
    };
  }

  async companyExists(companyId: number): Promise<boolean> {
    return (await this.dataSource.query(`SELECT 1 FROM companies WHERE id = $1`, [companyId])).length > 0;
  }

  async login(input: {
    companyId: number;
    identifier: string;
    password: string;
    ip: string | null;
    /** The remembered-device cookie, if the browser has one (see LoginUnlockService). */
    deviceToken?: string;
  }): Promise<LoginResult> {
    const { typed, account } = await this.accountTyped(input.companyId, input.identifier);
    const loginKey = loginIdentifierKey(input.companyId, typed.value);
    const ref = account ? ({ kind: 'customer', companyId: account.companyId, id: account.customerId } as const) : undefined;
    // A device the account logged in from (or unlocked by e-mail) counts on its own lock instead of the login name's.
    const { keys, check, accountCapKey } = await this.unlock.loginKeys(loginKey, input.ip, ref, input.deviceToken);
    if (!check.allowed) return { ok: false, reason: 'locked', retryAfterSeconds: check.retryAfterSeconds };
    const viaDevice = keys[0] !== loginKey;
    const valid = await verifyPassword(account?.passwordHash, input.password);
    const known = account !== undefined || (await this.companyExists(input.companyId));
    if (!valid || !account) {
      // The same Redis work for an unknown identifier (its account key is one nothing clears).
      const clearedWith = viaDevice ? undefined : accountKey(input.companyId, account, typed.value);
      const locks = await Promise.all([this.throttle.fail(keys[0], { clearedWith }), this.throttle.fail(keys[1])]);
      if (accountCapKey) await this.throttle.countAccountFailure(accountCapKey);
      const locked = Math.max(...locks.map((lock) => lock.lockedForSeconds));
      if (known) {
        const base = { companyId: input.companyId, actorKind: 'customer' as const, actorId: account?.customerId ?? null, ip: input.ip };
        await this.audit.record(undefined, { ...base, event: 'login_failed', detail: account ? undefined : 'unknown account' });
        if (locked > 0) await this.audit.record(undefined, { ...base, event: 'lockout', detail: `${locked} s` });
      }
      return locked > 0 ? { ok: false, reason: 'locked', retryAfterSeconds: locked } : { ok: false, reason: 'invalid' };
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`UPDATE customer_accounts SET last_login_at = now() WHERE company_id = $1 AND customer_id = $2`, [
        account.companyId,
        account.customerId,
      ]);
      await this.audit.record(manager, {
        companyId: account.companyId,
        actorKind: 'customer',
        actorId: account.customerId,
        event: 'login_succeeded',
        ip: input.ip,
      });
    });
    // After the commit: the typed identifier, and through the account key the account's other identifier;
    // a login through a remembered device clears only the device's failures (whoever locked the name stays locked).
    const cleared = viaDevice ? [keys[0]] : [loginKey, accountKey(account.companyId, account, typed.value)];
    await Promise.all(cleared.map((key) => this.throttle.succeed(key)));
    return {
      ok: true,
      principal: { kind: 'customer', companyId: account.companyId, customerId: account.customerId, name: account.name, code: account.code },
    };
  }

  /**
   * Mails a one-time unlock link to the account the login name belongs to (its own address);
   * the page answers the same whether or not one exists.
   */
  async sendUnlockLink(input: { companyId: number; identifier: string; ip: string | null; language: 'hu' | 'en' }): Promise<ThrottleCheck> {
    const { typed, account } = await this.accountTyped(input.companyId, input.identifier);
    return this.unlock.sendUnlockLink({
      ref: account ? { kind: 'customer', companyId: account.companyId, id: account.customerId } : undefined,
      typedKey: loginIdentifierKey(input.companyId, typed.value),
      email: account?.email,
      language: account?.language ?? input.language,
      ip: input.ip,
      path: '/login/unlock',
    });
  }

  /** The account a typed login name belongs to, and the name normalised. */
  private async accountTyped(companyId: number, identifier: string) {
    const typed = normaliseLoginIdentifier(identifier);
    const found = await this.findAccount(companyId, typed.value);
    // Only the account whose own code or e-mail normalises to what was typed: Postgres lower() also matches
    // strings that normalise to other keys ('İ' for 'i'), each of which would bring a fresh lockout budget.
    const account = found && (typed.kind === 'email' ? found.email.toLowerCase() : found.code) === typed.value ? found : undefined;
    return { typed, account };
  }

  /** The logged-in customer's own profile (company-scoped; nothing of anyone else). */
  async profile(companyId: number, customerId: number): Promise<CustomerProfile | undefined> {
    const rows: Array<Record<string, string>> = await this.dataSource.query(
      `SELECT c.name, c.code, a.login_email, co.id AS company_id, co.name AS company_name
         FROM customer_accounts a
         JOIN customers c ON c.company_id = a.company_id AND c.id = a.customer_id
         JOIN companies co ON co.id = a.company_id
        WHERE a.company_id = $1 AND a.customer_id = $2`,
      [companyId, customerId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return { name: row.name, code: row.code, email: row.login_email, company: { id: Number(row.company_id), name: row.company_name } };
  }
}
