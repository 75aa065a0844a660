import { createReviewMachine } from '../../libs/workflow/review-machine';
import { FieldChanges } from './customer-data-rules';

export const DATA_CHANGE_KIND = 'data_change';
/** Bump when the machine changes shape; stored beside each snapshot. */
export const DATA_CHANGE_MACHINE_VERSION = 1;

/** Hungarian consumer-protection rules give utilities 15 days to answer a written request. */
export const DATA_CHANGE_ANSWER_DAYS = 15;

/** A customer's change of their data (Ügyféladatok): the review workflow (see createReviewMachine). */
export const dataChangeMachine = createReviewMachine(DATA_CHANGE_KIND);

/** What a data change request carries: each changing field's old and new value as at submission. */
export interface DataChangePayload {
  changes: FieldChanges;
  /** When the customer confirmed a new e-mail address through the link sent to it; null if the e-mail stays. */
  emailConfirmedAt: string | null;
  [key: string]: unknown;
}

/**
 * A data change is about the customer. No live key: requests_live_key keeps applied
 * requests live, and a customer changes their data more than once; DataChangeService
 * keeps one open change per customer under an advisory lock instead.
 */
export const dataChangeSubject = (customerId: number) => ({ subjectRef: `customer:${customerId}`, liveKey: null });
