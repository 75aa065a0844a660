import { Module } from '@nestjs/common';
import { ApiKeysPages } from './api-keys.pages';
import { ApiKeysService } from './api-keys.service';
import { ImportService } from './import.service';
import { IntegrationController } from './integration.controller';
import { IntegrationCallAudit, IntegrationKeyGuard } from './integration-key.guard';

/**
 * The billing back office's side of the portal: its API keys (admins create and revoke
 * them), the key guard every integration route sits behind, with each call audited.
 */
@Module({
  controllers: [IntegrationController, ApiKeysPages],
  providers: [ApiKeysService, ImportService, IntegrationKeyGuard, IntegrationCallAudit],
  exports: [ApiKeysService, IntegrationKeyGuard, IntegrationCallAudit],
})
export class IntegrationModule {}
