import { Module } from '@nestjs/common';
import { ApiKeysPages } from './api-keys.pages';
import { ApiKeysService } from './api-keys.service';
import { ImportService } from './import.service';
import { IntegrationController } from './integration.controller';
import { IntegrationCallAudit, IntegrationKeyGuard } from './integration-key.guard';

/**
 * The billing back office's side of the portal: its API keys (admins create and revoke
 * them), the key guard every integration route sits behind, with each call audited, and the
 * import of what the back office owns (API and `npm run import`, one staging upsert). The
 * import writes the tables of identity, metering, billing and payments directly, set-based:
 * the back office, not those modules, is the source of those rows.
 */
@Module({
  controllers: [IntegrationController, ApiKeysPages],
  providers: [ApiKeysService, ImportService, IntegrationKeyGuard, IntegrationCallAudit],
  exports: [ApiKeysService, IntegrationKeyGuard, IntegrationCallAudit],
})
export class IntegrationModule {}
