import { WorkflowEventType, WorkflowState } from './request-workflow';

/**
 * Expected refusals, returned as values (a controller maps them to 404/409/403/400).
 * Unexpected failures (database down, a bug) still throw.
 */
export type WorkflowError =
  | { code: 'not_found'; requestId: number; message: string }
  | { code: 'event_not_accepted'; requestId: number; state: WorkflowState; event: string; message: string }
  | { code: 'version_conflict'; requestId: number; expectedVersion: number; actualVersion: number; message: string }
  | { code: 'actor_not_allowed'; requestId: number; event: string; message: string }
  | { code: 'invalid_event'; requestId: number; event: string; message: string };

export type Result<T, E = WorkflowError> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });

export const notFound = (requestId: number): WorkflowError => ({ code: 'not_found', requestId, message: `Request ${requestId} not found` });

export const eventNotAccepted = (requestId: number, state: WorkflowState, event: string): WorkflowError => ({
  code: 'event_not_accepted',
  requestId,
  state,
  event,
  message: `Request ${requestId} is ${state}; it does not accept ${event}`,
});

export const versionConflict = (requestId: number, expectedVersion: number, actualVersion: number): WorkflowError => ({
  code: 'version_conflict',
  requestId,
  expectedVersion,
  actualVersion,
  message: `Request ${requestId} changed meanwhile (version ${actualVersion}, not ${expectedVersion}); reload it`,
});

export const actorNotAllowed = (requestId: number, event: string, why: string): WorkflowError => ({
  code: 'actor_not_allowed',
  requestId,
  event,
  message: why,
});

export const invalidEvent = (requestId: number, event: WorkflowEventType | string, why: string): WorkflowError => ({
  code: 'invalid_event',
  requestId,
  event,
  message: why,
});

/**
 * Thrown by WorkflowEngine.submit when another request with the same live key is
 * already live (requests_live_key): someone submitted the same thing meanwhile.
 * The caller decides afresh (typically: read again and retry).
 */
export class LiveRequestConflict extends Error {
  constructor(readonly liveKey: string) {
    super(`Another request for ${liveKey} is already live`);
    this.name = 'LiveRequestConflict';
  }
}
