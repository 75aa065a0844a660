import { ApiProperty } from '@nestjs/swagger';
import { WORKFLOW_STATES } from '../../libs/workflow/request-workflow';
import { HintResponse, HistoryRowResponse } from '../approval/request-responses.dto';

/* The JSON answers of the customer's meter-reading API, as OpenAPI schemas. */

class ReadingWindowResponse {
  @ApiProperty({ description: 'A reading may be reported today' }) open!: boolean;
  @ApiProperty({ type: String, format: 'date', nullable: true, example: '2026-11-25' }) opensOn!: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true, example: '2026-12-05' }) closesOn!: string | null;
}

class LastReadingResponse {
  @ApiProperty({ format: 'date', example: '2026-10-31' }) readOn!: string;
  @ApiProperty({ example: 1234.5 }) value!: number;
  @ApiProperty({ example: 'customer' }) kind!: string;
}

export class MeterResponse {
  @ApiProperty({ example: 12 }) id!: number;
  @ApiProperty({ example: 4 }) servicePointId!: number;
  @ApiProperty({ example: 'VM-123456' }) serialNumber!: string;
  @ApiProperty({ example: 'water' }) type!: string;
  @ApiProperty({ example: 'm3' }) unit!: string;
  @ApiProperty({ example: 1, description: 'Decimals a reading may have' }) decimals!: number;
  @ApiProperty({ type: String, format: 'date', nullable: true }) calibratedAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'When the provider reads the meter itself' })
  providerReadingPeriod!: string | null;
  @ApiProperty({ type: ReadingWindowResponse }) window!: ReadingWindowResponse;
  @ApiProperty({ type: LastReadingResponse, nullable: true, description: 'The last billable reading' })
  lastReading!: LastReadingResponse | null;
}

export class MeterListResponse {
  @ApiProperty({ type: [MeterResponse] }) items!: MeterResponse[];
}

class MeterSummary {
  @ApiProperty({ example: 12 }) id!: number;
  @ApiProperty({ example: 'VM-123456' }) serialNumber!: string;
  @ApiProperty({ example: 'm3' }) unit!: string;
}

export class ReadingHistoryResponse {
  @ApiProperty({ type: MeterSummary }) meter!: MeterSummary;
  @ApiProperty({ type: [HistoryRowResponse], description: 'Billable readings, newest first' }) items!: HistoryRowResponse[];
}

export class ReadingCheckResponse {
  @ApiProperty({ example: 12 }) meterId!: number;
  @ApiProperty({ example: '1234,5', description: 'The value as sent' }) value!: string;
  @ApiProperty({ format: 'date', example: '2026-11-27' }) readOn!: string;
  @ApiProperty({ example: 3 }) windowId!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Since the last billable reading' }) consumption!: number | null;
  @ApiProperty({ type: Number, nullable: true }) usualDaily!: number | null;
  @ApiProperty({ type: [HintResponse] }) hints!: HintResponse[];
  @ApiProperty({ description: 'A hint asks the clerk for a closer look' }) flagged!: boolean;
}

export class SubmittedReadingResponse extends ReadingCheckResponse {
  @ApiProperty({ example: 17 }) requestId!: number;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'The earlier unreviewed reading of this window this one replaced' })
  replacedRequestId!: number | null;
  @ApiProperty({ enum: ['submitted'] }) state!: 'submitted';
}

class TimelineEntryResponse {
  @ApiProperty({ enum: WORKFLOW_STATES }) state!: string;
  @ApiProperty() at!: Date;
  @ApiProperty({ type: String, nullable: true, description: 'A rejection’s reason' }) reason!: string | null;
}

export class CustomerRequestResponse {
  @ApiProperty({ example: 17 }) id!: number;
  @ApiProperty({ example: 'meter_reading' }) kind!: string;
  @ApiProperty({ enum: WORKFLOW_STATES }) state!: string;
  @ApiProperty({ example: 1 }) version!: number;
  @ApiProperty({ type: Number, nullable: true }) meterId!: number | null;
  @ApiProperty({ type: String, nullable: true, example: '1234,5' }) value!: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) readOn!: string | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: [TimelineEntryResponse] }) timeline!: TimelineEntryResponse[];
}
