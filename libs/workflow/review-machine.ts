import { assign, setup } from 'xstate';
import { WorkflowContext, WorkflowEvent } from './request-workflow';

/**
 * The review workflow every customer request kind has used so far: pure (no I/O, no
 * clock). APPROVE and REJECT are accepted from `submitted` as well as `in_review`: a
 * clerk may decide without claiming first (bulk approval sends one APPROVE per
 * request). Claiming is how a clerk tells colleagues "I am looking at this one".
 * Each kind gets its own machine (its own id) from this shape; a kind that needs
 * another shape writes its own.
 */
export function createReviewMachine(id: string) {
  return setup({
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
    id,
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
}
