import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint } from '../core/api-contract';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { WriteLimited } from '../identity/write-limit.guard';
import { WebhookEndpoints } from './webhook-endpoints.service';
import { CreatedWebhookResponse, CreateWebhookDto, RetriedWebhookResponse, WebhookEndpointListResponse } from './webhook-responses.dto';

const PROBLEM_TEXT = {
  invalid: 'url must be an absolute http:// or https:// address',
  httpsRequired: 'url must be an https:// address',
  credentials: 'url may not contain a user name or password',
} as const;

/** The company's webhook endpoints of the integration feed as JSON (admins): the page's capabilities. */
@ApiTags('back office')
@Controller('api/v1/backoffice/integration-webhooks')
@UseGuards(BackofficeGuard)
@MinRole('admin')
export class WebhookController {
  constructor(private readonly endpoints: WebhookEndpoints) {}

  @Get()
  @ApiEndpoint({
    operationId: 'listIntegrationWebhooks',
    summary: 'The company’s webhook endpoints and their delivery state (admin)',
    access: 'clerk',
  })
  @ApiOkResponse({ type: WebhookEndpointListResponse })
  async list(@Clerk() clerk: ClerkIdentity): Promise<WebhookEndpointListResponse> {
    return { items: await this.endpoints.list(clerk.companyId) };
  }

  @Post()
  @WriteLimited()
  @ApiEndpoint({
    operationId: 'createIntegrationWebhook',
    summary: 'Registers an endpoint for the feed’s items from now on; answers its signing secret once (admin)',
    access: 'clerk',
    errors: { 400: 'The URL is not an absolute http(s) address, not https in production, or carries credentials' },
  })
  @ApiCreatedResponse({ type: CreatedWebhookResponse })
  async create(@Clerk() clerk: ClerkIdentity, @Body() body: CreateWebhookDto): Promise<CreatedWebhookResponse> {
    const result = await this.endpoints.create(clerk.companyId, body.url.trim());
    if (!result.ok)
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: PROBLEM_TEXT[result.problem], code: result.problem });
    return { id: result.id, secret: result.secret };
  }

  @Post(':id/retry')
  @HttpCode(202)
  @WriteLimited()
  @ApiEndpoint({
    operationId: 'retryIntegrationWebhook',
    summary: 'Starts delivering to a stopped or failing endpoint again, with fresh retries (admin)',
    access: 'clerk',
    errors: { 400: 'The id is not an integer', 404: 'No webhook endpoint with this id in your company' },
  })
  @ApiAcceptedResponse({ type: RetriedWebhookResponse, description: 'Queued; delivery runs in the background' })
  async retry(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number): Promise<RetriedWebhookResponse> {
    if (!(await this.endpoints.retry(clerk.companyId, id))) throw new NotFoundException('No webhook endpoint with this id in your company');
    return { id, status: 'queued' };
  }

  @Delete(':id')
  @HttpCode(204)
  @WriteLimited()
  @ApiEndpoint({
    operationId: 'deleteIntegrationWebhook',
    summary: 'Removes an endpoint: nothing more is delivered to it (admin)',
    access: 'clerk',
    errors: { 400: 'The id is not an integer', 404: 'No webhook endpoint with this id in your company' },
  })
  @ApiNoContentResponse({ description: 'Removed' })
  async remove(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number): Promise<void> {
    if (!(await this.endpoints.remove(clerk.companyId, id)))
      throw new NotFoundException('No webhook endpoint with this id in your company');
  }
}
