import { WorkflowRequest, WorkflowState } from './request-workflow';

/** The columns of `requests` that make a WorkflowRequest (with the company id the caller scoped by). */
export const REQUEST_COLUMNS = `id, customer_id, kind, state, version, machine_version, subject_ref, payload, flagged, assigned_clerk_id,
       answer_due_at, created_at, updated_at`;

/** A `requests` row as node-postgres returns REQUEST_COLUMNS (bigints as text). */
export interface RequestRow {
  id: string;
  customer_id: string;
  kind: string;
  state: WorkflowState;
  version: number;
  machine_version: number;
  subject_ref: string;
  payload: Record<string, unknown>;
  flagged: boolean;
  assigned_clerk_id: number | null;
  answer_due_at: Date;
  created_at: Date;
  updated_at: Date;
}

/** A row of REQUEST_COLUMNS as the request it is, in the company the query was scoped to. */
export function toWorkflowRequest(companyId: number, row: RequestRow): WorkflowRequest {
  return {
    id: Number(row.id),
    companyId,
    customerId: Number(row.customer_id),
    kind: row.kind,
    state: row.state,
    version: row.version,
    machineVersion: row.machine_version,
    subjectRef: row.subject_ref,
    payload: row.payload,
    flagged: row.flagged,
    assignedClerkId: row.assigned_clerk_id,
    answerDueAt: row.answer_due_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
