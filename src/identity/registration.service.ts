import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { todayInHungary } from '../web/format';
import { EmailService } from '../notifications/email.service';
import { translate } from '../web/i18n';
import { AccountToken, AccountTokenPurpose } from './account-token.entity';
import { CustomerAccount, Language } from './customer-account.entity';
import { LoginThrottleService, ThrottleCheck } from './login-throttle.service';
import { hashPassword } from './password-hasher';
import { checkPassword, PasswordProblem } from './password-policy';
import { SecurityAuditService } from './security-audit.service';
import { hashSecret, looksLikeSecret, newSecret } from '../../libs/crypto/tokens';

export const VERIFY_LINK_HOURS = 24;

export interface RegistrationInput {
  companyId: number;
  customerCode: string;
  invoiceNumber: string;
  grossAmount: number;
  email: string;
  language: Language;
  ip: string | null;
}

export type CompleteRegistrationResult =
  { ok: true; companyId: number; customerId: number } | { ok: false; reason: 'invalidLink' | 'emailTaken' | PasswordProblem };

/** Writes a single-use link token (only its hash) and returns the raw token for the e-mail. */
export async function createAccountToken(
  manager: EntityManager,
  row: { companyId: number; customerId: number; purpose: AccountTokenPurpose; email: string; validHours: number },
): Promise<string> {
  const token = newSecret();
  await manager.insert(AccountToken, {
    companyId: row.companyId,
    customerId: row.customerId,
    purpose: row.purpose,
    email: row.email,
    tokenHash: hashSecret(token),
    expiresAt: new Date(Date.now() + row.validHours * 3_600_000),
  });
  return token;
}

/** The live (unused, unexpired) token row for a raw token, locked for update when a manager in a transaction asks. */
export async function findLiveToken(manager: EntityManager, token: unknown, purpose: AccountTokenPurpose, lock = false) {
  if (!looksLikeSecret(token)) return null;
  const query = manager
    .createQueryBuilder(AccountToken, 't')
    .where('t.token_hash = :hash AND t.purpose = :purpose AND t.used_at IS NULL AND t.expires_at > now()', {
      hash: hashSecret(token),
      purpose,
    });
  if (lock) query.setLock('pessimistic_write');
  return query.getOne();
}

/**
 * "Új ügyfél regisztrálása": the customer proves who they are with an invoice of the
 * last 12 months (number and gross amount). Every outcome looks the same to the caller;
 * only the e-mail differs (a verification link to the typed address, or "you already have an
 * account" to the account's own address).
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly email: EmailService,
    private readonly throttle: LoginThrottleService,
    private readonly audit: SecurityAuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Never tells whether the data matched; only whether the caller must wait (throttled). */
  async register(input: RegistrationInput): Promise<ThrottleCheck> {
    const code = input.customerCode.toUpperCase();
    const allowed = await this.throttle.consumeAttempt(input.ip, `register:${input.companyId}:${code}`);
    if (!allowed.allowed) return allowed;
    await this.dataSource.transaction(async (manager) => {
      const rows: Array<{ customer_id: string; name: string; account_email: string | null; account_language: Language | null }> =
        await manager.query(
          `SELECT c.id AS customer_id, c.name, a.login_email AS account_email, a.language AS account_language
             FROM customers c
             JOIN invoices i ON i.company_id = c.company_id AND i.customer_id = c.id
             LEFT JOIN customer_accounts a ON a.company_id = c.company_id AND a.customer_id = c.id
            WHERE c.company_id = $1 AND c.code = $2 AND i.invoice_number = $3 AND i.gross_total = $4
              AND i.issued_on > ($5::date - interval '12 months')
            LIMIT 1`,
          [input.companyId, code, input.invoiceNumber, input.grossAmount, todayInHungary()],
        );
      const match = rows[0];
      if (!match) return;
      const customerId = Number(match.customer_id);
      if (match.account_email !== null) {
        // To the account's own address, never the typed one: whoever holds an invoice must not learn that an account exists.
        const language = match.account_language ?? input.language;
        const t = (key: string, params = {}) => translate(language, key, params);
        await this.email.queue(manager, {
          companyId: input.companyId,
          template: 'notification',
          language,
          to: match.account_email,
          params: {
            title: t('identity.register.existingTitle'),
            lines: [t('identity.register.existingLine1', { customerCode: code }), t('identity.register.existingLine2')],
            link: { url: `${this.config.PUBLIC_URL}/login`, label: t('identity.register.existingLink') },
          },
        });
        return;
      }
      const token = await createAccountToken(manager, {
        companyId: input.companyId,
        customerId,
        purpose: 'verify_email',
        email: input.email,
        validHours: VERIFY_LINK_HOURS,
      });
      await this.email.queue(manager, {
        companyId: input.companyId,
        template: 'email-verification',
        language: input.language,
        to: input.email,
        params: {
          customerName: match.name,
          link: `${this.config.PUBLIC_URL}/register/verify?token=${token}`,
          expiresInHours: VERIFY_LINK_HOURS,
        },
      });
    });
    return { allowed: true };
  }

  /** Whether a verification link can still be used (for showing the password form). */
  async linkIsLive(token: unknown): Promise<boolean> {
    return (await findLiveToken(this.dataSource.manager, token, 'verify_email')) !== null;
  }

  /** Sets the password from a verification link: creates the account, uses up the link. */
  async complete(token: unknown, password: string, language: Language, ip: string | null): Promise<CompleteRegistrationResult> {
    const problem = checkPassword(password);
    if (problem) return { ok: false, reason: problem };
    if (!(await this.linkIsLive(token))) return { ok: false, reason: 'invalidLink' };
    const hash = await hashPassword(password);
    return this.dataSource.transaction(async (manager): Promise<CompleteRegistrationResult> => {
      const row = await findLiveToken(manager, token, 'verify_email', true);
      if (!row) return { ok: false, reason: 'invalidLink' };
      const { companyId, customerId } = row;
      const existing = await manager.findOneBy(CustomerAccount, { companyId, customerId });
      const taken: unknown[] = await manager.query(
        `SELECT 1 FROM customer_accounts WHERE company_id = $1 AND lower(login_email) = lower($2)`,
        [companyId, row.email],
      );
      if (existing) return { ok: false, reason: 'invalidLink' };
      if (taken.length > 0) return { ok: false, reason: 'emailTaken' };
      await manager.insert(CustomerAccount, {
        companyId,
        customerId,
        loginEmail: row.email,
        passwordHash: hash,
        emailVerifiedAt: new Date(),
        language,
      });
      await manager.query(
        `UPDATE account_tokens SET used_at = now() WHERE company_id = $1 AND customer_id = $2 AND purpose = 'verify_email' AND used_at IS NULL`,
        [companyId, customerId],
      );
      await this.audit.record(manager, { companyId, actorKind: 'customer', actorId: customerId, event: 'account_registered', ip });
      return { ok: true, companyId, customerId };
    });
  }
}
