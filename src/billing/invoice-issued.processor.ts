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

export type InvoiceIssuedJob = Pick<Job<{ invoiceId: number; companyId: number; outboxId?: number }>, 'data'>;

interface IssuedRow {
  customer_id: string;
  customer_name: string;
  invoice_number: string;
  issued_on: string;
  due_on: string;
  gross_total: number;
  recipient: string | null;
  language: EmailLanguage | null;
}

/**
 * `notifications/invoice-issued`: tells the customer by e-mail that an invoice was
 * issued, if they have a verified portal login and the `invoice_issued` topic on.
 * The once key (invoice, customer) makes a re-run job or a re-recorded invoice queue nothing.
 */
@Injectable()
export class InvoiceIssuedProcessor implements OnModuleInit {
  private readonly logger = new Logger(InvoiceIssuedProcessor.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueuesService,
    private readonly dataSource: DataSource,
    private readonly emails: EmailService,
  ) {}

  onModuleInit(): void {
    this.queues.register(JOBS.invoiceIssued, (job) => this.handle(job));
  }

  async handle(job: InvoiceIssuedJob): Promise<void> {
    const { invoiceId, companyId } = job.data;
    await runOutboxJob(this.dataSource, job, async (manager) => {
      const [row]: IssuedRow[] = await manager.query(
        `SELECT i.customer_id, c.name AS customer_name, i.invoice_number, i.issued_on::text AS issued_on, i.due_on::text AS due_on,
                i.gross_total, a.login_email AS recipient, a.language
           FROM invoices i
           JOIN customers c ON c.company_id = i.company_id AND c.id = i.customer_id
           LEFT JOIN customer_accounts a ON a.company_id = i.company_id AND a.customer_id = i.customer_id AND a.email_verified_at IS NOT NULL
          WHERE i.company_id = $1 AND i.id = $2`,
        [companyId, invoiceId],
      );
      if (!row?.recipient || !row.language) {
        this.logger.log({ invoiceId, companyId }, 'invoice issued; no portal address to tell');
        return;
      }
      const customerId = Number(row.customer_id);
      const emailId = await this.emails.queueNotification(manager, {
        companyId,
        template: 'invoice-issued',
        language: row.language,
        to: row.recipient,
        params: {
          customerName: row.customer_name,
          invoiceNumber: row.invoice_number,
          issuedOn: row.issued_on,
          dueOn: row.due_on,
          grossTotal: row.gross_total,
          eInvoice: false,
          link: `${this.config.PUBLIC_URL}/invoices/${invoiceId}`,
        },
        notification: { customerId, topic: 'invoice_issued' },
        onceKey: `invoice-issued:${invoiceId}:${customerId}`,
      });
      this.logger.log({ invoiceId, companyId, emailId }, emailId ? 'invoice e-mail queued' : 'invoice e-mail not wanted or already queued');
    });
  }
}
