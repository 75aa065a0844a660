import { createReviewMachine } from '../../libs/workflow/review-machine';

export const E_INVOICE_KIND = 'e_invoice';
/** Bump when the machine changes shape; stored beside each snapshot. */
export const E_INVOICE_MACHINE_VERSION = 1;
export const E_INVOICE_ANSWER_DAYS = 15;

/** Opting a service point in to or out of e-invoices (Elektronikus számla): the review workflow. */
export const eInvoiceMachine = createReviewMachine(E_INVOICE_KIND);

/** What an e-invoice request carries: the switch and the consent as the customer gave it, for the audit trail. */
export interface EInvoicePayload {
  servicePointId: number;
  /** The service point's address at submission (for the clerk and the customer's timeline). */
  address: string;
  optIn: boolean;
  /** The text the customer agreed to, in the language it was shown in. */
  consentText: string;
  consentedAt: string;
  [key: string]: unknown;
}

/** About the service point; one open request per service point is EInvoiceService's rule (no live key, as for data changes). */
export const eInvoiceSubject = (servicePointId: number) => ({ subjectRef: `service_point:${servicePointId}`, liveKey: null });
