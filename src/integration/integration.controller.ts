import { Controller, Get, NotFoundException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint } from '../core/api-contract';
import { ApiKeysService } from './api-keys.service';
import { CurrentIntegration, IntegrationAuth } from './integration-key.guard';
import { IntegrationPrincipal } from './integration-principal';
import { IntegrationKeyResponse } from './integration-responses.dto';

/** The billing back office's API: who the key is (to check a set-up). */
@ApiTags('integration')
@Controller('api/v1/integration')
@IntegrationAuth()
export class IntegrationController {
  constructor(private readonly keys: ApiKeysService) {}

  @Get('key')
  @ApiEndpoint({
    operationId: 'getIntegrationKey',
    summary: 'The calling API key and its company (to check a set-up)',
    access: 'integration',
  })
  @ApiOkResponse({ type: IntegrationKeyResponse })
  async key(@CurrentIntegration() integration: IntegrationPrincipal): Promise<IntegrationKeyResponse> {
    const view = await this.keys.describe(integration);
    if (!view) throw new NotFoundException();
    return { id: view.id, name: view.name, prefix: `ik_${view.prefix}_…`, company: view.company, createdAt: view.createdAt };
  }
}
