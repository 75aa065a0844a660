import { BadRequestException, Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint } from '../core/api-contract';
import { WriteLimited } from '../identity/write-limit.guard';
import { FeedAckDto, FeedAckResponse, FeedPageResponse, FeedQueryDto } from './feed-responses.dto';
import { FeedService, keyConsumer } from './feed.service';
import { CurrentIntegration, IntegrationAuth } from './integration-key.guard';
import { IntegrationPrincipal } from './integration-principal';

const DEFAULT_LIMIT = 100;

/** The feed of what the portal decided, for the billing back office: read after a cursor, acknowledged per consumer. */
@ApiTags('integration')
@Controller('api/v1/integration/feed')
@IntegrationAuth()
export class FeedController {
  constructor(private readonly feed: FeedService) {}

  @Get()
  @ApiEndpoint({
    operationId: 'readIntegrationFeed',
    summary: 'The company’s decisions after a cursor, oldest first (what the consumer has not acknowledged comes again)',
    access: 'integration',
    errors: { 400: 'after, limit or consumer is not valid' },
  })
  @ApiOkResponse({ type: FeedPageResponse })
  async read(@CurrentIntegration() integration: IntegrationPrincipal, @Query() query: FeedQueryDto): Promise<FeedPageResponse> {
    const consumer = query.consumer ?? keyConsumer(integration.keyId);
    const after = query.after === undefined ? undefined : Number(query.after);
    return this.feed.read(integration.companyId, consumer, after, query.limit ?? DEFAULT_LIMIT);
  }

  @Post('ack')
  @HttpCode(200)
  @WriteLimited()
  @ApiEndpoint({
    operationId: 'acknowledgeIntegrationFeed',
    summary: 'Marks the feed processed up to a cursor for the consumer: those items never come again',
    access: 'integration',
    errors: { 400: 'The cursor is not valid, or lies beyond the feed’s last item' },
  })
  @ApiOkResponse({ type: FeedAckResponse })
  async acknowledge(@CurrentIntegration() integration: IntegrationPrincipal, @Body() body: FeedAckDto): Promise<FeedAckResponse> {
    const result = await this.feed.acknowledge(integration.companyId, body.consumer ?? keyConsumer(integration.keyId), Number(body.cursor));
    if (!result.ok)
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: 'The cursor lies beyond the feed’s last item',
        code: 'cursor_ahead',
      });
    return { consumer: result.consumer, acknowledgedCursor: result.acknowledgedCursor };
  }
}
