import { ApiProperty, ApiPropertyOptions, ApiPropertyOptional } from '@nestjs/swagger';
import { WORKFLOW_STATES, WorkflowState } from '../../libs/workflow/request-workflow';

/*
 * The JSON answers of the request APIs (customer and back office), as OpenAPI schemas.
 * Plain classes: the services return plain objects of these shapes.
 */

/** A state change of a request: from → to, and the version to send with the next change. */
export class TransitionResponse {
  @ApiProperty({ example: 17 }) requestId!: number;
  @ApiProperty({ enum: WORKFLOW_STATES, example: 'submitted' }) from!: WorkflowState;
  @ApiProperty({ enum: WORKFLOW_STATES, example: 'in_review' }) to!: WorkflowState;
  @ApiProperty({ example: 2, description: 'The new version; send it as expectedVersion next time' }) version!: number;
}

export class CommentedResponse {
  @ApiProperty({ example: 17 }) requestId!: number;
}

class CustomerRef {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({ example: 'SU0044' }) code!: string;
  @ApiProperty({ example: 'Minta Mária' }) name!: string;
}

class ClerkRef {
  @ApiProperty({ example: 7 }) id!: number;
  @ApiProperty({ example: 'Kiss Anna' }) name!: string;
}

const REQUEST_KINDS_DESCRIPTION = 'meter_reading, data_change or e_invoice';

/** The kind's own fields; which ones depends on `kind` (plain data, for integrations). */
const DETAILS_DESCRIPTION =
  'The kind’s own fields. meter_reading: meter ({ id, serialNumber, unit } or null), value (as typed), readOn, consumption, ' +
  'replacement; data_change: changes ({ field: { from, to } }), emailConfirmedAt; e_invoice: servicePointId, optIn, consentedAt';

/** The hints as the kind stores them: a `code`, and the numbers or fields that code carries. */
const HINTS_SCHEMA: ApiPropertyOptions = {
  type: 'array',
  description:
    'Why the request is flagged or what to look at, as stored. meter_reading: code (replacement, negative_consumption, above_usual, ' +
    'below_usual, jump), message and its numbers (below, ratio, percent, daily, usualDaily, previousDaily); data_change: ' +
    'changed_meanwhile with field and now (the customer’s current value, changed since the request)',
  items: {
    type: 'object',
    required: ['code'],
    properties: { code: { type: 'string', example: 'above_usual' }, message: { type: 'string' } },
    additionalProperties: true,
  },
};

export class QueueRowResponse {
  @ApiProperty({ example: 17 }) id!: number;
  @ApiProperty({ example: 'meter_reading', description: REQUEST_KINDS_DESCRIPTION }) kind!: string;
  @ApiProperty({ enum: WORKFLOW_STATES }) state!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ description: 'A hint asks for a closer look' }) flagged!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ description: 'By when the company answers the customer' }) answerDueAt!: Date;
  @ApiProperty({ description: 'The answer is due within two days, or overdue' }) dueSoon!: boolean;
  @ApiProperty({ type: CustomerRef }) customer!: CustomerRef;
  @ApiProperty({ example: 'VM-123456: 1234,5 m³', description: 'One line: what the customer asks for, in the clerk’s language' })
  summary!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: DETAILS_DESCRIPTION }) details!: Record<string, unknown>;
  @ApiProperty(HINTS_SCHEMA) hints!: ReadonlyArray<Record<string, unknown>>;
  @ApiProperty({ description: 'Unflagged, it may be approved with others at once (bulk-approve)' }) bulkApprovable!: boolean;
  @ApiProperty({ type: ClerkRef, nullable: true }) assignedClerk!: ClerkRef | null;
}

export class QueuePageResponse {
  @ApiProperty({ type: [QueueRowResponse] }) items!: QueueRowResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next page; null on the last page' })
  next!: string | null;
}

class TransitionLogEntry {
  @ApiProperty({ type: String, nullable: true, example: 'submitted' }) fromState!: string | null;
  @ApiProperty({ example: 'in_review' }) toState!: string;
  @ApiProperty({ example: 'CLAIM' }) event!: string;
  @ApiProperty({ example: 'clerk', description: 'customer, clerk or system' }) actorKind!: string;
  @ApiProperty({ type: Number, nullable: true }) actorId!: number | null;
  @ApiProperty({ type: String, nullable: true }) actorName!: string | null;
  @ApiProperty({ type: String, nullable: true }) comment!: string | null;
  @ApiProperty() createdAt!: Date;
}

export class RequestDetailResponse extends QueueRowResponse {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What the request asks for; its shape depends on kind' })
  payload!: Record<string, unknown>;
  @ApiProperty({ type: [TransitionLogEntry] }) log!: TransitionLogEntry[];
}

class BulkRefusalResponse {
  @ApiProperty({ example: 'flagged', description: 'flagged, wrong_kind, or a workflow refusal (version_conflict, …)' }) code!: string;
  @ApiProperty() message!: string;
}

export class BulkOutcomeResponse {
  @ApiProperty({ example: 17 }) requestId!: number;
  @ApiProperty() ok!: boolean;
  @ApiPropertyOptional({ description: 'With ok: the new version' }) version?: number;
  @ApiPropertyOptional({ type: BulkRefusalResponse, description: 'Without ok: why not' }) error?: BulkRefusalResponse;
}

export class BulkApproveResponse {
  @ApiProperty({ example: 2 }) approved!: number;
  @ApiProperty({ type: [BulkOutcomeResponse] }) outcomes!: BulkOutcomeResponse[];
}

class TimelineEntryResponse {
  @ApiProperty({ enum: WORKFLOW_STATES }) state!: string;
  @ApiProperty() at!: Date;
  @ApiProperty({ type: String, nullable: true, description: 'A rejection’s reason' }) reason!: string | null;
}

/** A customer's request as the customer sees it, whatever its kind. */
export class CustomerRequestResponse {
  @ApiProperty({ example: 17 }) id!: number;
  @ApiProperty({ example: 'meter_reading', description: REQUEST_KINDS_DESCRIPTION }) kind!: string;
  @ApiProperty({ enum: WORKFLOW_STATES }) state!: string;
  @ApiProperty({ example: 1, description: 'Send it as expectedVersion to withdraw' }) version!: number;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true, description: 'By when the company answers; null once it has (decided, withdrawn)' })
  answerBy!: Date | null;
  @ApiProperty({ example: 'Mérőállás: 1234,5', description: 'One line, in your language' }) summary!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The kind’s own fields. meter_reading: meterId, value, readOn; data_change: changes ({ field: { from, to } }); ' +
      'e_invoice: servicePointId, optIn',
  })
  details!: Record<string, unknown>;
  @ApiProperty({ type: [TimelineEntryResponse], description: 'The steps that matter to you, oldest first' })
  timeline!: TimelineEntryResponse[];
}
