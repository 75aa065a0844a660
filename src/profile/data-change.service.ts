import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/configuration';
import { WorkflowState } from '../../libs/workflow/request-workflow';
import { Result, fail, ok } from '../../libs/workflow/workflow-errors';
import { WorkflowEngine } from '../../libs/workflow/workflow-engine';
import { APP_CONFIG } from '../core/config.module';
import { CustomerData, CustomerDataField, CustomerRecords } from '../identity/customer-records.service';
import { LoginThrottleService } from '../identity/login-throttle.service';
import { hashSecret, looksLikeSecret, newSecret } from '../../libs/crypto/tokens';
import { EmailService } from '../notifications/email.service';
import { Language, translate } from '../web/i18n';
import { FieldChanges, FieldError, ProfileRules, checkDataChange } from './customer-data-rules';
import { DATA_CHANGE_KIND, DataChangePayload, dataChangeSubject } from './data-change.kind';
import { retryingReplaced, submitReplacingUnreviewed } from './one-open-request';
import { ProfileSettingsService } from './profile-settings.service';

/** How long the link confirming a new e-mail address works. */
export const EMAIL_CONFIRMATION_HOURS = 24;

export type DataChangeError =
  | { code: 'customer_not_found'; message: string }
  | { code: 'invalid'; errors: FieldError[]; message: string }
  | { code: 'nothing_changed'; message: string }
  | { code: 'email_taken'; message: string }
  | { code: 'already_in_review'; requestId: number; state: WorkflowState; message: string }
  | { code: 'throttled'; retryAfterSeconds: number; message: string }
  | { code: 'invalid_link'; message: string };

export type DataChangeOutcome =
  | { status: 'submitted'; requestId: number; version: number; replacedRequestId: number | null }
  | { status: 'confirmation_sent'; email: string };

export interface ProfileOverview {
  data: CustomerData;
  rules: ProfileRules;
  /** A new e-mail address waiting for its link to be opened. */
  pendingEmail: { email: string; expiresAt: Date } | null;
}

/**
 * The customer's data changes (Ügyféladatok): every change is one `data_change`
 * request with each field's old and new value. A new submission replaces the
 * customer's unreviewed one (withdrawn by the system, in the same transaction); once a
 * clerk has it, a new one waits. A new e-mail address first gets a confirmation link:
 * the request reaches a clerk only when the link sent to that address is opened.
 */
@Injectable()
export class DataChangeService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly customers: CustomerRecords,
    private readonly settings: ProfileSettingsService,
    private readonly email: EmailService,
    private readonly throttle: LoginThrottleService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async overview(companyId: number, customerId: number): Promise<ProfileOverview | null> {
    const [data, rules, pending] = await Promise.all([
      this.customers.read(this.dataSource.manager, companyId, customerId),
      this.settings.rules(companyId),
      this.dataSource.query(
        `SELECT email, expires_at FROM email_change_confirmations
          WHERE company_id = $1 AND customer_id = $2 AND used_at IS NULL AND expires_at > now()
          ORDER BY created_at DESC LIMIT 1`,
        [companyId, customerId],
      ) as Promise<Array<{ email: string; expires_at: Date }>>,
    ]);
    if (!data) return null;
    return { data, rules, pendingEmail: pending[0] ? { email: pending[0].email, expiresAt: pending[0].expires_at } : null };
  }

  /**
   * Checks the proposed data against the customer's record and the company's rules and
   * submits the fields that change. With a new e-mail address, sends the confirmation
   * link instead (at most a few an hour, so the portal cannot be used to mail strangers).
   */
  async submit(
    companyId: number,
    customerId: number,
    proposed: Partial<Record<CustomerDataField, unknown>>,
    context: { language: Language; ip: string | null },
  ): Promise<Result<DataChangeOutcome, DataChangeError>> {
    const overview = await this.overview(companyId, customerId);
    if (!overview) return fail({ code: 'customer_not_found', message: 'No such customer' });
    const checked = checkDataChange(overview.data, proposed, overview.rules);
    if (!checked.ok) return fail({ code: 'invalid', errors: checked.errors, message: checked.errors.map((e) => e.message).join('; ') });
    if (Object.keys(checked.changes).length === 0)
      return fail({ code: 'nothing_changed', message: 'Nothing differs from your current data' });
    const email = checked.changes.email?.to;
    if (!email) return this.createRequest(companyId, customerId, { changes: checked.changes, emailConfirmedAt: null });

    if (await this.customers.loginEmailTaken(companyId, customerId, email)) {
      return fail({ code: 'email_taken', message: 'Another account uses this e-mail address' });
    }
    const allowed = await this.throttle.consumeAttempt(context.ip, `email-change:${companyId}:${customerId}`);
    if (!allowed.allowed) {
      return fail({ code: 'throttled', retryAfterSeconds: allowed.retryAfterSeconds, message: 'Too many e-mail changes; try again later' });
    }
    await this.dataSource.transaction(async (manager) => {
      // The newest link is the one that counts: earlier ones stop working.
      await manager.query(
        `UPDATE email_change_confirmations SET used_at = now() WHERE company_id = $1 AND customer_id = $2 AND used_at IS NULL`,
        [companyId, customerId],
      );
      const token = newSecret();
      await manager.query(
        `INSERT INTO email_change_confirmations (company_id, customer_id, token_hash, email, changes, expires_at)
         VALUES ($1, $2, $3, $4, $5, now() + make_interval(hours => $6))`,
        [companyId, customerId, hashSecret(token), email, checked.changes, EMAIL_CONFIRMATION_HOURS],
      );
      const t = (key: string, params = {}) => translate(context.language, key, params);
      await this.email.queue(manager, {
        companyId,
        template: 'notification',
        language: context.language,
        to: email,
        params: {
          title: t('profile.confirmEmail.mailTitle'),
          lines: [t('profile.confirmEmail.mailLine1'), t('profile.confirmEmail.mailLine2', { hours: EMAIL_CONFIRMATION_HOURS })],
          link: { url: `${this.config.PUBLIC_URL}/profile/confirm-email?token=${token}`, label: t('profile.confirmEmail.mailLink') },
        },
      });
    });
    return ok({ status: 'confirmation_sent', email });
  }

  /** Whether a confirmation link can still be used (for showing its page). */
  async confirmationIsLive(token: unknown): Promise<boolean> {
    if (!looksLikeSecret(token)) return false;
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM email_change_confirmations WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()`,
      [hashSecret(token)],
    );
    return rows.length > 0;
  }

  /**
   * The customer opened the link sent to the new address: the data change they sent
   * becomes a request (replacing an unreviewed one), and the link is used up, in one
   * transaction. Whoever holds the link may confirm: it went to the address being proved.
   */
  async confirmEmail(token: unknown): Promise<Result<DataChangeOutcome & { companyId: number; customerId: number }, DataChangeError>> {
    const invalid = fail<DataChangeError>({ code: 'invalid_link', message: 'The link is invalid, used or expired' });
    if (!looksLikeSecret(token)) return invalid;
    return retryingReplaced(() =>
      this.dataSource.transaction(async (manager) => {
        const [row]: Array<{ id: string; company_id: number; customer_id: string; email: string; changes: FieldChanges }> =
          await manager.query(
            `SELECT id, company_id, customer_id, email, changes FROM email_change_confirmations
                WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() FOR UPDATE`,
            [hashSecret(token)],
          );
        if (!row) return invalid;
        const companyId = row.company_id;
        const customerId = Number(row.customer_id);
        const useUp = () => manager.query(`UPDATE email_change_confirmations SET used_at = now() WHERE id = $1`, [row.id]);
        if (await this.customers.loginEmailTaken(companyId, customerId, row.email)) {
          await useUp();
          return fail<DataChangeError>({ code: 'email_taken', message: 'Another account uses this e-mail address' });
        }
        const payload: DataChangePayload = { changes: row.changes, emailConfirmedAt: new Date().toISOString() };
        // Refused while an earlier change is in review: the link keeps working until it expires.
        const created = await this.createIn(manager, companyId, customerId, payload);
        if (!created.ok) return created;
        await useUp();
        return ok({ ...created.value, companyId, customerId });
      }),
    );
  }

  private createRequest(
    companyId: number,
    customerId: number,
    payload: DataChangePayload,
  ): Promise<Result<DataChangeOutcome, DataChangeError>> {
    return retryingReplaced(() => this.dataSource.transaction((manager) => this.createIn(manager, companyId, customerId, payload)));
  }

  /** In the caller's transaction: the request, replacing the customer's unreviewed data change. */
  private async createIn(
    manager: EntityManager,
    companyId: number,
    customerId: number,
    payload: DataChangePayload,
  ): Promise<Result<DataChangeOutcome, DataChangeError>> {
    const created = await submitReplacingUnreviewed(manager, this.engine, {
      companyId,
      customerId,
      kind: DATA_CHANGE_KIND,
      subjectRef: dataChangeSubject(customerId).subjectRef,
      payload,
    });
    return created.ok ? ok({ status: 'submitted', ...created.value }) : created;
  }
}
