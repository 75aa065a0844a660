import { Actor, WorkflowEventType, WorkflowRequest } from './request-workflow';

const DECIDING_ROLES = new Set(['supervisor', 'admin']);

/**
 * Who may send which event, whatever the kind: customers only withdraw (their own
 * request: the engine scopes the lookup), clerks review, supervisors retry a
 * failed application, the system records the worker's outcome. A request claimed
 * by one clerk is released or decided by that clerk or a supervisor.
 * Returns null when allowed, or why not.
 */
export function actorRefusal(event: WorkflowEventType, actor: Actor, request: Pick<WorkflowRequest, 'assignedClerkId'>): string | null {
  switch (event) {
    case 'WITHDRAW':
      return actor.kind === 'customer' || actor.kind === 'system' ? null : 'Only the customer can withdraw a request';
    case 'CLAIM':
      return actor.kind === 'clerk' ? null : 'Only a clerk can claim a request';
    case 'RELEASE':
    case 'APPROVE':
    case 'REJECT':
      if (actor.kind !== 'clerk') return `Only a clerk can ${event.toLowerCase()} a request`;
      if (request.assignedClerkId !== null && request.assignedClerkId !== actor.id && !DECIDING_ROLES.has(actor.role ?? 'clerk')) {
        return `The request is claimed by clerk ${request.assignedClerkId}`;
      }
      return null;
    case 'RETRY':
      return actor.kind === 'clerk' && DECIDING_ROLES.has(actor.role ?? 'clerk')
        ? null
        : 'Only a supervisor can retry a failed application';
    case 'APPLIED':
    case 'APPLY_FAILED':
      return actor.kind === 'system' ? null : 'Only the worker records the outcome of an application';
  }
}
