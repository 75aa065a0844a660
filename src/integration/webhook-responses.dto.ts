import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class CreateWebhookDto {
  @ApiProperty({
    example: 'https://athos.example/hooks/portal',
    description: 'Absolute http(s) URL (https only in production), no user:password',
  })
  @IsString()
  @MaxLength(2000)
  url!: string;
}

export class WebhookEndpointResponse {
  @ApiProperty({ example: 4 }) id!: number;
  @ApiProperty({ example: 'https://athos.example/hooks/portal' }) url!: string;
  @ApiProperty({ example: '120', description: 'The last feed cursor the endpoint received' }) deliveredCursor!: string;
  @ApiProperty({ example: 0, description: 'Feed items not yet delivered' }) behind!: number;
  @ApiProperty({ example: 0, description: 'Failed attempts at the next item since the last success' }) failureCount!: number;
  @ApiProperty({ type: String, nullable: true, example: 'HTTP 503' }) lastError!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastAttemptAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Set when every retry failed: waits for a retry' })
  stoppedAt!: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt!: Date;
}

export class WebhookEndpointListResponse {
  @ApiProperty({ type: [WebhookEndpointResponse] }) items!: WebhookEndpointResponse[];
}

export class CreatedWebhookResponse {
  @ApiProperty({ example: 4 }) id!: number;
  @ApiProperty({ example: 'whsec_…', description: 'The signing secret, shown this once: keep it with the receiver' }) secret!: string;
}

export class RetriedWebhookResponse {
  @ApiProperty({ example: 4 }) id!: number;
  @ApiProperty({ enum: ['queued'] }) status!: 'queued';
}
