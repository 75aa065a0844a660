import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { runOutboxJob } from '../../libs/outbox/outbox';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from '../core/config.module';
import { QueuesService } from '../core/queues.service';
import { JOBS } from '../jobs';
import { EmailService } from '../notifications/email.service';
import { formatMoney } from '../web/format';
import { translate } from '../web/i18n';

interface PaymentJob {
  paymentId: number;
  companyId: number;
  outboxId?: number;
}

/**
 * The after-commit work of a recorded payment for its customer: the receipt e-mail to the
 * portal address (queued through EmailService, which sends it in its own job; at most once
 * per outbox row). The export to the billing back office is the integration module's job.
 */
@Injectable()
export class PaymentOutboxProcessor implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly queues: QueuesService,
    private readonly emails: EmailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.queues.register(JOBS.paymentReceipt, (job) => this.receipt(job as Job<PaymentJob>));
  }

  async receipt(job: Pick<Job<PaymentJob>, 'data'>): Promise<void> {
    const { paymentId, companyId } = job.data;
    await runOutboxJob(this.dataSource, job, async (manager) => {
      const [row] = (await manager.query(
        `SELECT p.paid_amount, p.amount, p.gateway_reference, a.login_email, a.language
           FROM payments p JOIN customer_accounts a ON a.company_id = p.company_id AND a.customer_id = p.customer_id
          WHERE p.company_id = $1 AND p.id = $2 AND p.status = 'succeeded'`,
        [companyId, paymentId],
      )) as Array<{
        paid_amount: number | null;
        amount: number;
        gateway_reference: string | null;
        login_email: string;
        language: 'hu' | 'en';
      }>;
      // No portal account (deleted meanwhile): nobody to send a receipt to.
      if (!row) return;
      const lang = row.language;
      await this.emails.queue(manager, {
        companyId,
        template: 'notification',
        language: lang,
        to: row.login_email,
        params: {
          title: translate(lang, 'payments.receipt.title'),
          lines: [
            translate(lang, 'payments.receipt.amount', { amount: formatMoney(row.paid_amount ?? row.amount) }),
            translate(lang, 'payments.receipt.reference', { reference: row.gateway_reference ?? '–' }),
          ],
          link: {
            url: `${this.config.PUBLIC_URL.replace(/\/$/, '')}/payments/${paymentId}`,
            label: translate(lang, 'payments.receipt.link'),
          },
        },
      });
    });
  }
}
