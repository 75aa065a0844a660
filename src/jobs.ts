import { JobRef } from '../libs/queue/job-registry';

/**
 * Every kind of background job the portal runs, in one place. Outbox rows name
 * one of these; the worker refuses to start while one has no handler.
 */
export const JOBS = {
  sendEmail: { queue: 'email', name: 'send-email' },
} as const satisfies Record<string, JobRef>;

export const JOB_CATALOGUE: readonly JobRef[] = Object.values(JOBS);
