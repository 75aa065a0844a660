import { ApiProperty } from '@nestjs/swagger';

/** The calling API key, as the admin page shows it (never the secret). */
export class IntegrationKeyResponse {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({ example: 'ATHOS nightly import' }) name!: string;
  @ApiProperty({ example: 'ik_3f9a0c12be45_…', description: 'The public start of the key' }) prefix!: string;
  @ApiProperty({ example: 'minta', description: 'The company whose rows the key reaches' }) company!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
}

/** A row the import refused whole, with its index in `rows` and every problem found. */
export class RejectedRowResponse {
  @ApiProperty({ example: 3, description: 'The index of the row in `rows` (from 0)' }) index!: number;
  @ApiProperty({ example: 'dueOn: must be a date (YYYY-MM-DD); customerRef: no customer with this externalRef in your company' })
  reason!: string;
}

/** What an import did: every row is counted once, as inserted, updated, unchanged or rejected. */
export class ImportResultResponse {
  @ApiProperty({ example: 120, description: 'New rows' }) inserted!: number;
  @ApiProperty({ example: 4, description: 'Rows whose values changed' }) updated!: number;
  @ApiProperty({ example: 9870, description: 'Rows sent again with the same values: nothing written' }) unchanged!: number;
  @ApiProperty({ type: [RejectedRowResponse], description: 'Rows refused whole; nothing of them was written' })
  rejected!: RejectedRowResponse[];
}
