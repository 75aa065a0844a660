import { assign, setup } from 'xstate';
import { WorkflowContext, WorkflowEvent } from '../../libs/workflow/request-workflow';

/** Bump when the machine below changes shape; old snapshots then need a migration. */
export const READING_MACHINE_VERSION = 1;

/**
 * The customer's meter reading (mérőóraállás bejelentése). Pure: no I/O, no clock.
 * APPROVE and REJECT are accepted from `submitted` as well as `in_review`: a
 * clerk may decide without claiming first, which is what bulk approval of
 * unflagged readings does (one APPROVE transition per request). Claiming is how a
 * clerk tells colleagues "I am looking at this one".
 */
export const readingMachine = setup({
  types: { context: {} as WorkflowContext, events: {} as WorkflowEvent },
  guards: {
    hasReason: ({ event }) => event.type === 'REJECT' && event.reason.trim().length > 0,
  },
  actions: {
    assignToActor: assign({ assigneeId: ({ event }) => event.actor.id }),
    unassign: assign({ assigneeId: null }),
    keepReason: assign({ rejectionReason: ({ event }) => (event.type === 'REJECT' ? event.reason : null) }),
    keepError: assign({ lastError: ({ event }) => (event.type === 'APPLY_FAILED' ? event.error : null) }),
  },
}).createMachine({
  id: 'meter_reading',
  initial: 'submitted',
  context: { assigneeId: null, rejectionReason: null, lastError: null },
  states: {
    submitted: {
      on: {
        CLAIM: { target: 'in_review', actions: 'assignToActor' },
        APPROVE: { target: 'approved', actions: 'assignToActor' },
        REJECT: { target: 'rejected', guard: 'hasReason', actions: ['assignToActor', 'keepReason'] },
        WITHDRAW: { target: 'withdrawn' },
      },
    },
    in_review: {
      on: {
        RELEASE: { target: 'submitted', actions: 'unassign' },
        APPROVE: { target: 'approved' },
        REJECT: { target: 'rejected', guard: 'hasReason', actions: 'keepReason' },
      },
    },
    approved: {
      on: {
        APPLIED: { target: 'applied' },
        APPLY_FAILED: { target: 'apply_failed', actions: 'keepError' },
      },
    },
    apply_failed: {
      on: { RETRY: { target: 'approved' } },
    },
    applied: { type: 'final' },
    rejected: { type: 'final' },
    withdrawn: { type: 'final' },
  },
});
