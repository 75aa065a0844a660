import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

/** A plausibility hint on a reading; which numbers it carries depends on `code`. */
export class HintResponse {
  @ApiProperty({ example: 'above_usual', description: 'replacement, negative_consumption, above_usual, below_usual or jump' })
  code!: string;
  @ApiProperty({ example: 'The consumption is 3.2 times the usual' }) message!: string;
  @ApiPropertyOptional({ description: 'negative_consumption: how far below the last reading' }) below?: number;
  @ApiPropertyOptional({ description: 'above_usual, jump: consumption ÷ the usual (or previous) daily consumption' }) ratio?: number;
  @ApiPropertyOptional({ description: 'below_usual: consumption as a percentage of the usual' }) percent?: number;
  @ApiPropertyOptional({ description: 'The daily consumption this reading implies' }) daily?: number;
  @ApiPropertyOptional({ description: 'The usual daily consumption' }) usualDaily?: number;
  @ApiPropertyOptional({ description: 'jump: the previous period’s daily consumption' }) previousDaily?: number;
}

export class HistoryRowResponse {
  @ApiProperty({ format: 'date', example: '2026-10-31' }) readOn!: string;
  @ApiProperty({ example: 1234.5 }) value!: number;
  @ApiProperty({ example: 'customer', description: 'Who read it: customer, provider, estimate…' }) kind!: string;
  @ApiProperty({ type: Number, nullable: true, description: 'Since the billable reading before; null for the first' })
  consumption!: number | null;
}

class CustomerRef {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({ example: 'SU0044' }) code!: string;
  @ApiProperty({ example: 'Minta Mária' }) name!: string;
}

class MeterRef {
  @ApiProperty({ example: 12 }) id!: number;
  @ApiProperty({ example: 'VM-123456' }) serialNumber!: string;
  @ApiProperty({ example: 'm3' }) unit!: string;
}

class ClerkRef {
  @ApiProperty({ example: 7 }) id!: number;
  @ApiProperty({ example: 'Kiss Anna' }) name!: string;
}

export class QueueRowResponse {
  @ApiProperty({ example: 17 }) id!: number;
  @ApiProperty({ example: 'meter_reading' }) kind!: string;
  @ApiProperty({ enum: WORKFLOW_STATES }) state!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ description: 'A plausibility hint asks for a closer look' }) flagged!: boolean;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: CustomerRef }) customer!: CustomerRef;
  @ApiProperty({ type: MeterRef, nullable: true }) meter!: MeterRef | null;
  @ApiProperty({ type: String, nullable: true, example: '1234,5', description: 'The reported value, as typed' }) value!: string | null;
  @ApiProperty({ type: Number, nullable: true }) consumption!: number | null;
  @ApiProperty({ type: [HintResponse] }) hints!: HintResponse[];
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
  @ApiProperty({ type: [HistoryRowResponse], description: 'The meter’s billable readings, newest first' }) history!: HistoryRowResponse[];
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
