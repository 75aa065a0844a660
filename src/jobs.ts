import { JobRef } from '../libs/queue/job-registry';

/**
 * Every kind of background job the portal runs, in one place. Outbox rows name
 * one of these; the worker refuses to start while one has no handler.
 */
export const JOBS = {
  sendEmail: { queue: 'email', name: 'send-email' },
  /** Runs the applier of an approved request ({ requestId, companyId }). */
  applyRequest: { queue: 'requests', name: 'apply' },
  /** A request was decided (applied or rejected); the notifications issue turns it into an e-mail. */
  requestDecided: { queue: 'notifications', name: 'request-decided' },
  /** An applied customer reading, for the billing back office ({ readingId }). */
  exportReading: { queue: 'integration', name: 'export-reading' },
  /** A reminder scheduler fired ({ kind }): runs that kind of reminder for every company. */
  runReminders: { queue: 'reminders', name: 'run-reminders' },
} as const satisfies Record<string, JobRef>;

export const JOB_CATALOGUE: readonly JobRef[] = Object.values(JOBS);
