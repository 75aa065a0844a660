import { AnyStateMachine, transition } from 'xstate';
import {
  Actor,
  WORKFLOW_EVENTS,
  WORKFLOW_STATES,
  WorkflowEvent,
  WorkflowEventType,
  WorkflowState,
} from '../../libs/workflow/request-workflow';
import { readingMachine } from '../../src/metering/reading.machine';
import { dataChangeMachine } from '../../src/profile/data-change.kind';
import { eInvoiceMachine } from '../../src/profile/e-invoice.kind';

/** Every request kind's machine; each gets the whole table below. */
const MACHINES: Array<[string, AnyStateMachine]> = [
  ['meter_reading', readingMachine],
  ['data_change', dataChangeMachine],
  ['e_invoice', eInvoiceMachine],
];

const clerk: Actor = { kind: 'clerk', id: 7, role: 'clerk' };

function eventOf(type: WorkflowEventType): WorkflowEvent {
  if (type === 'REJECT') return { type, actor: clerk, reason: 'A számjegyek nem olvashatók' };
  if (type === 'APPLY_FAILED') return { type, actor: clerk, error: 'boom' };
  return { type, actor: clerk } as WorkflowEvent;
}

/** The whole design: where each event leads from each state; absent = refused. */
const EXPECTED: Record<WorkflowState, Partial<Record<WorkflowEventType, WorkflowState>>> = {
  submitted: { CLAIM: 'in_review', APPROVE: 'approved', REJECT: 'rejected', WITHDRAW: 'withdrawn' },
  in_review: { RELEASE: 'submitted', APPROVE: 'approved', REJECT: 'rejected' },
  approved: { APPLIED: 'applied', APPLY_FAILED: 'apply_failed' },
  apply_failed: { RETRY: 'approved' },
  applied: {},
  rejected: {},
  withdrawn: {},
};

const context = { assigneeId: 3, rejectionReason: null, lastError: null };
const cases = WORKFLOW_STATES.flatMap((state) => WORKFLOW_EVENTS.map((event) => [state, event, EXPECTED[state][event] ?? null] as const));

describe.each(MACHINES)('%s machine: every state × every event', (id, machine) => {
  it('has its own id and covers every workflow state', () => {
    expect(machine.id).toBe(id);
    expect(Object.keys(machine.states).sort()).toEqual([...WORKFLOW_STATES].sort());
  });

  it.each(cases)('%s + %s → %s', (state, event, target) => {
    const snapshot = machine.resolveState({ value: state, context });
    expect(snapshot.can(eventOf(event))).toBe(target !== null);
    if (target !== null) {
      const [next] = transition(machine, snapshot, eventOf(event));
      expect(next.value).toBe(target);
    }
  });
});

describe.each(MACHINES)('%s machine: context', (_id, machine) => {
  it('claim assigns the clerk, release clears it', () => {
    const submitted = machine.resolveState({ value: 'submitted', context: { ...context, assigneeId: null } });
    const [claimed] = transition(machine, submitted, { type: 'CLAIM', actor: clerk });
    expect(claimed.context.assigneeId).toBe(7);
    const [released] = transition(machine, claimed, { type: 'RELEASE', actor: clerk });
    expect(released.context.assigneeId).toBeNull();
  });

  it('refuses a rejection with a blank reason', () => {
    const inReview = machine.resolveState({ value: 'in_review', context });
    expect(inReview.can({ type: 'REJECT', actor: clerk, reason: '  ' })).toBe(false);
  });

  it('keeps the reason and the apply error', () => {
    const inReview = machine.resolveState({ value: 'in_review', context });
    const [rejected] = transition(machine, inReview, { type: 'REJECT', actor: clerk, reason: 'elírás' });
    expect(rejected.context.rejectionReason).toBe('elírás');
    const approved = machine.resolveState({ value: 'approved', context });
    const [failed] = transition(machine, approved, { type: 'APPLY_FAILED', actor: clerk, error: 'db' });
    expect(failed.context.lastError).toBe('db');
  });

  it('survives persistence: a persisted snapshot resolves to the same state', () => {
    const approved = machine.resolveState({ value: 'approved', context });
    const persisted = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(approved))) as {
      value: string;
      context: typeof context;
    };
    const restored = machine.resolveState({ value: persisted.value, context: persisted.context });
    expect(restored.value).toBe('approved');
    expect(restored.can({ type: 'APPLIED', actor: clerk })).toBe(true);
  });
});
