import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { addToOutbox } from '../../libs/outbox/outbox';
import { JOBS } from '../jobs';
import { CustomerNotificationsService } from '../notifications/customer-notifications.service';
import { CustomerPasswordService } from './customer-password.service';
import { LoginThrottleService } from './login-throttle.service';
import { SecurityAuditService } from './security-audit.service';
import { SessionService } from './session.service';

export type DeletionResult =
  { ok: true } | { ok: false; reason: 'passwordWrong' } | { ok: false; reason: 'locked'; retryAfterSeconds: number };

/**
 * "Fiók törlés": removes the portal login (account row, e-mail, notification
 * preferences, message read marks, pending links) and every session. Billing records
 * (customer, invoices, payments, readings) stay; the customer can register again. The
 * billing back office learns of the deletion through the integration feed (an outbox row).
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly passwords: CustomerPasswordService,
    private readonly throttle: LoginThrottleService,
    private readonly sessions: SessionService,
    private readonly audit: SecurityAuditService,
    private readonly notifications: CustomerNotificationsService,
  ) {}

  async delete(ref: { companyId: number; customerId: number }, password: string, ip: string | null): Promise<DeletionResult> {
    const confirmed = await this.passwords.confirmPassword(ref, password);
    if (!confirmed.ok) return confirmed.reason === 'wrong' ? { ok: false, reason: 'passwordWrong' } : confirmed;
    await this.dataSource.transaction(async (manager) => {
      const params = [ref.companyId, ref.customerId];
      // Notification preferences and read marks belong to the notifications module: it forgets them itself.
      await this.notifications.forgetAccount(manager, ref);
      await manager.query(`DELETE FROM account_tokens WHERE company_id = $1 AND customer_id = $2`, params);
      await manager.query(`DELETE FROM customer_accounts WHERE company_id = $1 AND customer_id = $2`, params);
      await this.audit.record(manager, {
        companyId: ref.companyId,
        actorKind: 'customer',
        actorId: ref.customerId,
        event: 'account_deleted',
        ip,
      });
      const [{ deleted_at: deletedAt }] = (await manager.query(`SELECT now() AS deleted_at`)) as Array<{ deleted_at: Date }>;
      await addToOutbox(manager, JOBS.exportAccountDeletion, { ...ref, deletedAt: deletedAt.toISOString() }, ref.companyId);
      // Last step before the commit: if Redis fails, the account stays rather than its sessions.
      await this.sessions.endAllFor({ kind: 'customer', companyId: ref.companyId, id: ref.customerId });
    });
    await this.throttle.succeed(confirmed.throttleKey);
    return { ok: true };
  }
}
