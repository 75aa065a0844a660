import { ApiProperty } from '@nestjs/swagger';

/* The JSON answers of the supervisors' stalled-work API, as OpenAPI schemas. */

class StalledRequestResponse {
  @ApiProperty({ example: 17 }) id!: number;
  @ApiProperty({ example: 'meter_reading' }) kind!: string;
  @ApiProperty({ example: 44 }) customerId!: number;
  @ApiProperty({ example: 'SU0044' }) customerCode!: string;
  @ApiProperty() approvedAt!: Date;
  @ApiProperty({
    type: [Number],
    example: [301],
    description: 'The apply jobs of the request not yet completed (what a re-send sends again)',
  })
  outboxIds!: number[];
}

class UnfinishedOutboxRowResponse {
  @ApiProperty({ example: 301 }) id!: number;
  @ApiProperty({ example: 'approval' }) queue!: string;
  @ApiProperty({ example: 'apply' }) jobName!: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The job’s data' }) payload!: Record<string, unknown>;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({ type: Date, nullable: true, description: 'When it was handed to the queue; null while not yet' }) relayedAt!: Date | null;
}

export class StalledWorkResponse {
  @ApiProperty({ example: 30 }) olderThanMinutes!: number;
  @ApiProperty({ type: [StalledRequestResponse], description: 'Requests approved but not applied, oldest first' })
  requests!: StalledRequestResponse[];
  @ApiProperty({ type: [UnfinishedOutboxRowResponse], description: 'Outbox rows not completed, oldest first' })
  outbox!: UnfinishedOutboxRowResponse[];
}

export class ResentOutboxResponse {
  @ApiProperty({ example: 301 }) outboxId!: number;
  @ApiProperty({ enum: [true] }) resent!: true;
}
