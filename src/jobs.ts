import { JobRef } from '../libs/queue/job-registry';

/**
 * Every kind of background job the portal runs, in one place. Outbox rows name
 * one of these; the worker refuses to start while one has no handler.
 */
export const JOBS = {
  sendEmail: { queue: 'email', name: 'send-email' },
  /** Sends the queued e-mails of one company with ids in a range, many per transaction ({ companyId, firstEmailId, lastEmailId }). */
  sendEmailBatch: { queue: 'email', name: 'send-email-batch' },
  /** Runs the applier of the approved requests it names, up to EFFECT_BATCH_MAX ({ requestIds, companyId }). */
  applyRequest: { queue: 'requests', name: 'apply' },
  /** Requests reached a decision (approved, rejected, applied): their customers' e-mails ({ requestIds, companyId }). */
  requestDecided: { queue: 'notifications', name: 'request-decided' },
  /** The customer readings one apply transaction wrote, for the billing back office's feed ({ readingIds }). */
  exportReading: { queue: 'integration', name: 'export-reading' },
  /** A card payment was recorded: the customer's receipt e-mail ({ paymentId, companyId }). */
  paymentReceipt: { queue: 'notifications', name: 'payment-receipt' },
  /** A recorded card payment and its allocations, for the billing back office ({ paymentId, companyId }). */
  exportPayment: { queue: 'integration', name: 'export-payment' },
  /** The job scheduler's tick: asks the bank about payments left in "started", expires the overdue. */
  reconcilePayments: { queue: 'payments', name: 'reconcile' },
  /** An applied data change or e-invoice switch, for the billing back office ({ companyId, requestId, kind }). */
  exportCustomerChange: { queue: 'integration', name: 'export-customer-change' },
  /** A clerk allocated a flagged payment by hand, for the billing back office ({ paymentId, companyId }). */
  exportPaymentAllocation: { queue: 'integration', name: 'export-payment-allocation' },
  /** A customer deleted their portal account, for the billing back office ({ companyId, customerId, deletedAt }). */
  exportAccountDeletion: { queue: 'integration', name: 'export-account-deletion' },
  /** Pushes a webhook endpoint's undelivered feed items, in order ({ endpointId, companyId }); retried with backoff. */
  deliverWebhook: { queue: 'webhooks', name: 'deliver' },
  /** The job scheduler's tick: queues delivery for every endpoint behind its company's feed (a missed trigger is caught here). */
  sweepWebhooks: { queue: 'webhooks', name: 'sweep' },
  /**
   * An invoice was issued (imported from the billing back office): the customer's
   * e-mail, with the PDF attached for e-invoice service points ({ invoiceId, companyId }).
   * Written set-based by src/billing/invoice-issued.ts.
   */
  invoiceIssued: { queue: 'notifications', name: 'invoice-issued' },
  /** A reminder scheduler fired ({ kind }): runs that kind of reminder for every company. */
  runReminders: { queue: 'reminders', name: 'run-reminders' },
} as const satisfies Record<string, JobRef>;

export const JOB_CATALOGUE: readonly JobRef[] = Object.values(JOBS);
