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
import { INVOICE_PDF_ATTACHMENT } from './invoice-pdf-attachment';

export type InvoiceIssuedJob = Pick<Job<{ invoiceId: number; companyId: number; outboxId?: number }>, 'data'>;

interface IssuedRow {
  customer_id: string;
  customer_name: string;
  invoice_number: string;
  issued_on: string;
  due_on: string;
  gross_total: number;
  e_invoice: boolean;
  recipient: string | null;
  language: EmailLanguage | null;
}

/**
 * `notifications/invoice-issued`: the e-mail about a new invoice, to the customer's
 * verified portal address, at most once per (invoice, customer) (its once key makes a
 * re-run job or a re-recorded invoice queue nothing).
 * - For a service point with e-invoice applied (the customer consented through an
 *   approved request) the e-mail carries the invoice PDF: it is the invoice's delivery
 *   instead of paper, so it goes whatever the `invoice_issued` switch says, and has no
 *   unsubscribe link (the way out is switching e-invoice off).
 * - For anyone else it is a notice with a link, sent only with `invoice_issued` on.
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
                i.gross_total, COALESCE(sp.e_invoice, false) AS e_invoice, a.login_email AS recipient, a.language
           FROM invoices i
           JOIN customers c ON c.company_id = i.company_id AND c.id = i.customer_id
           LEFT JOIN service_points sp ON sp.company_id = i.company_id AND sp.id = i.service_point_id
           LEFT JOIN customer_accounts a ON a.company_id = i.company_id AND a.customer_id = i.customer_id AND a.email_verified_at IS NOT NULL
          WHERE i.company_id = $1 AND i.id = $2`,
        [companyId, invoiceId],
      );
      if (!row?.recipient || !row.language) {
        // An e-invoice service point whose customer has no portal address (deleted account)
        // gets no delivery here: the billing back office must send that invoice on paper.
        const log = { invoiceId, companyId, eInvoice: row?.e_invoice ?? false };
        if (row?.e_invoice) this.logger.warn(log, 'e-invoice not delivered: the customer has no verified portal address');
        else this.logger.log(log, 'invoice issued; no portal address to tell');
        return;
      }
      const customerId = Number(row.customer_id);
      const email = {
        companyId,
        template: 'invoice-issued' as const,
        language: row.language,
        to: row.recipient,
        params: {
          customerName: row.customer_name,
          invoiceNumber: row.invoice_number,
          issuedOn: row.issued_on,
          dueOn: row.due_on,
          grossTotal: row.gross_total,
          eInvoice: row.e_invoice,
          link: `${this.config.PUBLIC_URL}/invoices/${invoiceId}`,
        },
        onceKey: `invoice-issued:${invoiceId}:${customerId}`,
      };
      const emailId = row.e_invoice
        ? await this.emails.queueOnce(manager, { ...email, attachments: [{ kind: INVOICE_PDF_ATTACHMENT, customerId, id: invoiceId }] })
        : await this.emails.queueNotification(manager, { ...email, notification: { customerId, topic: 'invoice_issued' } });
      this.logger.log(
        { invoiceId, companyId, eInvoice: row.e_invoice, emailId },
        emailId ? 'invoice e-mail queued' : 'invoice e-mail not wanted or already queued',
      );
    });
  }
}
