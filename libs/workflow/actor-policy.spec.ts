import { actorRefusal } from './actor-policy';
import { Actor, WORKFLOW_EVENTS, WorkflowEventType } from './request-workflow';

const customer: Actor = { kind: 'customer', id: 1 };
const clerk: Actor = { kind: 'clerk', id: 2, role: 'clerk' };
const otherClerk: Actor = { kind: 'clerk', id: 3, role: 'clerk' };
const supervisor: Actor = { kind: 'clerk', id: 4, role: 'supervisor' };
const system: Actor = { kind: 'system', id: null };

const ALLOWED: Record<WorkflowEventType, Actor[]> = {
  WITHDRAW: [customer, system],
  CLAIM: [clerk, otherClerk, supervisor],
  RELEASE: [clerk, otherClerk, supervisor],
  APPROVE: [clerk, otherClerk, supervisor],
  REJECT: [clerk, otherClerk, supervisor],
  RETRY: [supervisor],
  APPLIED: [system],
  APPLY_FAILED: [system],
};

describe('actor policy', () => {
  const actors = [customer, clerk, otherClerk, supervisor, system];
  it.each(WORKFLOW_EVENTS.flatMap((event) => actors.map((actor) => [event, actor] as const)))(
    '%s by %o on an unclaimed request',
    (event, actor) => {
      expect(actorRefusal(event, actor, { assignedClerkId: null }) === null).toBe(ALLOWED[event].includes(actor));
    },
  );

  it('lets only the assignee or a supervisor decide or release a claimed request', () => {
    for (const event of ['APPROVE', 'REJECT', 'RELEASE'] as const) {
      expect(actorRefusal(event, clerk, { assignedClerkId: 2 })).toBeNull();
      expect(actorRefusal(event, supervisor, { assignedClerkId: 2 })).toBeNull();
      expect(actorRefusal(event, otherClerk, { assignedClerkId: 2 })).toMatch(/claimed by clerk 2/);
    }
  });
});
