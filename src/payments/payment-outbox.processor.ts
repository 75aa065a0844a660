import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { runOutboxJob } from '../../libs/outbox/outbox';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';
import { EmailLanguage } from '../notifications/email-templates';
import { EmailService } from '../notifications/email.service';

interface PaymentJob {
  paymentId: number;
  companyId: number;
  outboxId?: number;
}

/**
 * The after-commit work of a recorded payment for its customer: the receipt e-mail to the
 * portal address (queued through EmailService, which sends it in its own job). The export
 * to the billing back office is the integration module's job.
 */
@Injectable()
export class PaymentOutboxProcessor implements OnModuleInit {
  private readonly logger = new Logger(PaymentOutboxProcessor.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
    private readonly emails: EmailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.queues.register(JOBS.paymentReceipt, (job) => this.receipt(job as Job<PaymentJob>));
  }

  /**
   * The receipt of a confirmed payment (amount, the bank's reference, the items it
   * paid) to the customer's verified portal address, if the `payment_checked` switch
   * is on; at most once per payment (its once key), however often the job runs.
   */
  async receipt(job: Pick<Job<PaymentJob>, 'data'>): Promise<void> {
    const { paymentId, companyId } = job.data;
    await runOutboxJob(this.dataSource, job, async (manager) => {
      const [row] = (await manager.query(
        `SELECT p.customer_id, c.name AS customer_name, COALESCE(p.paid_amount, p.amount) AS amount, p.gateway_reference,
                p.confirmed_at, a.login_email, a.language,
                COALESCE((SELECT json_agg(json_build_object('reference', d.reference, 'description', d.description, 'amount', pa.amount)
                                          ORDER BY pa.id)
                            FROM payment_allocations pa JOIN debt_items d ON d.company_id = pa.company_id AND d.id = pa.debt_item_id
                           WHERE pa.company_id = p.company_id AND pa.payment_id = p.id), '[]') AS allocations
           FROM payments p
           JOIN customers c ON c.company_id = p.company_id AND c.id = p.customer_id
           JOIN customer_accounts a ON a.company_id = p.company_id AND a.customer_id = p.customer_id AND a.email_verified_at IS NOT NULL
          WHERE p.company_id = $1 AND p.id = $2 AND p.status = 'succeeded'`,
        [companyId, paymentId],
      )) as Array<{
        customer_id: string;
        customer_name: string;
        amount: number;
        gateway_reference: string | null;
        confirmed_at: Date;
        login_email: string;
        language: EmailLanguage;
        allocations: Array<{ reference: string; description: string; amount: number }>;
      }>;
      // No verified portal address (deleted meanwhile), or nothing booked: no receipt to send.
      if (!row || row.allocations.length === 0) {
        this.logger.log({ paymentId, companyId }, 'payment recorded; no receipt to send');
        return;
      }
      const customerId = Number(row.customer_id);
      const emailId = await this.emails.queueNotification(manager, {
        companyId,
        template: 'payment-receipt',
        language: row.language,
        to: row.login_email,
        params: {
          customerName: row.customer_name,
          amount: row.amount,
          reference: row.gateway_reference ?? '–',
          paidAt: row.confirmed_at.toISOString(),
          allocations: row.allocations,
          link: `${this.config.PUBLIC_URL.replace(/\/$/, '')}/payments/${paymentId}`,
        },
        notification: { customerId, topic: 'payment_checked' },
        onceKey: `payment-receipt:${paymentId}`,
      });
      this.logger.log({ paymentId, companyId, emailId }, emailId ? 'receipt e-mail queued' : 'receipt not wanted or already queued');
    });
  }
}
