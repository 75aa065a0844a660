import { createReviewMachine } from '../../libs/workflow/review-machine';

/** Bump when the machine below changes shape; old snapshots then need a migration. */
export const READING_MACHINE_VERSION = 1;

/** The customer's meter reading (mérőóraállás bejelentése): the review workflow (see createReviewMachine). */
export const readingMachine = createReviewMachine('meter_reading');
