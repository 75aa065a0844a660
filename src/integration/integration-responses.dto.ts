import { ApiProperty } from '@nestjs/swagger';

/** The calling API key, as the admin page shows it (never the secret). */
export class IntegrationKeyResponse {
  @ApiProperty({ example: 3 }) id!: number;
  @ApiProperty({ example: 'ATHOS nightly import' }) name!: string;
  @ApiProperty({ example: 'ik_3f9a0c12be45_…', description: 'The public start of the key' }) prefix!: string;
  @ApiProperty({ example: 'minta', description: 'The company whose rows the key reaches' }) company!: string;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
}
