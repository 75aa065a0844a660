import { Injectable, OnModuleInit } from '@nestjs/common';
import { EmailAttachments } from '../notifications/email-attachments';
import { BillingQueries } from './billing-queries.service';
import { invoiceFileName, renderInvoicePdf } from './invoice-pdf';

/** The attachment kind of an invoice's PDF: `{ kind: 'invoice-pdf', customerId, id: invoiceId }`. */
export const INVOICE_PDF_ATTACHMENT = 'invoice-pdf';

/** Lets e-mails carry an invoice's PDF, built when the e-mail is sent (the same bytes the portal serves). */
@Injectable()
export class InvoicePdfAttachment implements OnModuleInit {
  constructor(
    private readonly attachments: EmailAttachments,
    private readonly billing: BillingQueries,
  ) {}

  onModuleInit(): void {
    this.attachments.register(INVOICE_PDF_ATTACHMENT, async (companyId, ref, language) => {
      const invoice = await this.billing.invoice(companyId, ref.customerId, ref.id);
      if (!invoice) return null;
      return {
        filename: invoiceFileName(invoice.invoiceNumber, language).utf8,
        contentType: 'application/pdf',
        content: await renderInvoicePdf(invoice, language),
      };
    });
  }
}
