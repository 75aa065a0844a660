import { Module } from '@nestjs/common';
import { FeedExportProcessor } from './feed-export.processor';
import { FeedController } from './feed.controller';
import { FeedService } from './feed.service';
import { WebhookDeliveryProcessor } from './webhook-delivery.processor';
import { WebhookDispatcher } from './webhook-dispatcher.service';
import { WebhookEndpoints } from './webhook-endpoints.service';
import { WebhookController } from './webhook.controller';
import { WebhookPages } from './webhook.pages';
import { IntegrationModule } from './integration.module';

/**
 * The export half of the billing back office's integration: the feed of what the portal
 * decided (written by the export jobs), read with a cursor and acknowledged per consumer,
 * and pushed to the company's webhooks. The feed's routes sit behind IntegrationModule's key guard.
 */
@Module({
  imports: [IntegrationModule],
  controllers: [FeedController, WebhookController, WebhookPages],
  providers: [FeedService, FeedExportProcessor, WebhookDispatcher, WebhookDeliveryProcessor, WebhookEndpoints],
  exports: [FeedService],
})
export class FeedModule {}
