import { BadRequestException } from '@nestjs/common';
import { PageReply } from '../web/http';
import { Language } from '../web/i18n';
import { InvoiceDetail } from './billing-queries.service';
import { contentDisposition, invoiceFileName, renderInvoicePdf } from './invoice-pdf';

/** A year or service-point filter from a query string: a positive whole number, or absent. */
export function optionalId(value: unknown, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^[1-9]\d{0,15}$/.test(value)) throw new BadRequestException(`${name} must be a positive whole number`);
  return Number(value);
}

/**
 * Sends the invoice's PDF (the page and the API share it): the billing back office's own
 * document when it sent one with the invoice, else the portal's rendering.
 */
export async function sendInvoicePdf(res: PageReply, invoice: InvoiceDetail, lang: Language, stored: Buffer | null): Promise<void> {
  const pdf = stored ?? (await renderInvoicePdf(invoice, lang));
  res
    .status(200)
    .type('application/pdf')
    .header('Content-Disposition', contentDisposition(invoiceFileName(invoice.invoiceNumber, lang)))
    .header('Cache-Control', 'private, no-store')
    .send(pdf);
}
