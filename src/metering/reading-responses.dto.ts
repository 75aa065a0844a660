import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/* The JSON answers of the customer's meter-reading API, as OpenAPI schemas. */

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
