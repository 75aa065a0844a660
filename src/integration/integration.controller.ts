import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ApiEndpoint, ErrorAnswers } from '../core/api-contract';
import { WriteLimited } from '../identity/write-limit.guard';
import { ApiKeysService } from './api-keys.service';
import { ImportKind, MAX_ROWS_PER_REQUEST } from './import-kinds';
import { importBodySchema } from './import-schema';
import { ImportService } from './import.service';
import { CurrentIntegration, IntegrationAuth } from './integration-key.guard';
import { IntegrationPrincipal } from './integration-principal';
import { ImportResultResponse, IntegrationKeyResponse } from './integration-responses.dto';

const IMPORT_DESCRIPTION =
  `Upserts up to ${MAX_ROWS_PER_REQUEST} rows by the back office's own ids (externalRef), unique per company and kind. ` +
  'Every row is applied whole or refused whole with its index and reason; the others go in, in one transaction. ' +
  'Sending the same rows again changes nothing (they are counted as unchanged). References (customerRef, …) name rows ' +
  'imported before, so import customers, service points, meters, then the rest.';

const IMPORT_ERRORS: ErrorAnswers = {
  400: `The body is not { "rows": [ … ] }, or it has more than ${MAX_ROWS_PER_REQUEST} rows`,
  413: 'The body is larger than the import limit (64 MB)',
};

/** The billing back office's API: who the key is (to check a set-up), and the idempotent bulk imports. */
@ApiTags('integration')
@Controller('api/v1/integration')
@IntegrationAuth()
export class IntegrationController {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly imports: ImportService,
  ) {}

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

  @Post('customers')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'importCustomers',
    summary: 'Customers',
    description: IMPORT_DESCRIPTION,
    access: 'integration',
    errors: IMPORT_ERRORS,
  })
  @ApiBody({ schema: importBodySchema('customers') })
  @ApiOkResponse({ type: ImportResultResponse })
  importCustomers(@CurrentIntegration() integration: IntegrationPrincipal, @Body() body: unknown): Promise<ImportResultResponse> {
    return this.run(integration, 'customers', body);
  }

  @Post('service-points')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'importServicePoints',
    summary: 'Service points (each names its customer by customerRef)',
    description: IMPORT_DESCRIPTION,
    access: 'integration',
    errors: IMPORT_ERRORS,
  })
  @ApiBody({ schema: importBodySchema('service-points') })
  @ApiOkResponse({ type: ImportResultResponse })
  importServicePoints(@CurrentIntegration() integration: IntegrationPrincipal, @Body() body: unknown): Promise<ImportResultResponse> {
    return this.run(integration, 'service-points', body);
  }

  @Post('meters')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'importMeters',
    summary: 'Meters (each names its service point by servicePointRef)',
    description: IMPORT_DESCRIPTION,
    access: 'integration',
    errors: IMPORT_ERRORS,
  })
  @ApiBody({ schema: importBodySchema('meters') })
  @ApiOkResponse({ type: ImportResultResponse })
  importMeters(@CurrentIntegration() integration: IntegrationPrincipal, @Body() body: unknown): Promise<ImportResultResponse> {
    return this.run(integration, 'meters', body);
  }

  @Post('reading-windows')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'importReadingWindows',
    summary: 'Reading windows (a meterRef, or none for every meter of the company)',
    description: IMPORT_DESCRIPTION,
    access: 'integration',
    errors: IMPORT_ERRORS,
  })
  @ApiBody({ schema: importBodySchema('reading-windows') })
  @ApiOkResponse({ type: ImportResultResponse })
  importReadingWindows(@CurrentIntegration() integration: IntegrationPrincipal, @Body() body: unknown): Promise<ImportResultResponse> {
    return this.run(integration, 'reading-windows', body);
  }

  @Post('invoices')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'importInvoices',
    summary:
      'Invoices with their lines, VAT summary and, optionally, the back office\'s PDF; new ones raise the "invoice issued" notification',
    description: IMPORT_DESCRIPTION,
    access: 'integration',
    errors: IMPORT_ERRORS,
  })
  @ApiBody({ schema: importBodySchema('invoices') })
  @ApiOkResponse({ type: ImportResultResponse })
  importInvoices(@CurrentIntegration() integration: IntegrationPrincipal, @Body() body: unknown): Promise<ImportResultResponse> {
    return this.run(integration, 'invoices', body);
  }

  @Post('debt-items')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'importDebtItems',
    summary: 'Debt items (invoice debts, interest, reminder fees) with their open amounts',
    description: IMPORT_DESCRIPTION,
    access: 'integration',
    errors: IMPORT_ERRORS,
  })
  @ApiBody({ schema: importBodySchema('debt-items') })
  @ApiOkResponse({ type: ImportResultResponse })
  importDebtItems(@CurrentIntegration() integration: IntegrationPrincipal, @Body() body: unknown): Promise<ImportResultResponse> {
    return this.run(integration, 'debt-items', body);
  }

  @Post('readings')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'importReadings',
    summary: 'Processed readings (billable or not)',
    description: IMPORT_DESCRIPTION,
    access: 'integration',
    errors: IMPORT_ERRORS,
  })
  @ApiBody({ schema: importBodySchema('readings') })
  @ApiOkResponse({ type: ImportResultResponse })
  importReadings(@CurrentIntegration() integration: IntegrationPrincipal, @Body() body: unknown): Promise<ImportResultResponse> {
    return this.run(integration, 'readings', body);
  }

  @Post('payments')
  @WriteLimited()
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'importReceivedPayments',
    summary: 'Payments received elsewhere (bank transfer, cash, postal order, direct debit)',
    description: IMPORT_DESCRIPTION,
    access: 'integration',
    errors: IMPORT_ERRORS,
  })
  @ApiBody({ schema: importBodySchema('payments') })
  @ApiOkResponse({ type: ImportResultResponse })
  importReceivedPayments(@CurrentIntegration() integration: IntegrationPrincipal, @Body() body: unknown): Promise<ImportResultResponse> {
    return this.run(integration, 'payments', body);
  }

  private async run(integration: IntegrationPrincipal, kind: ImportKind, body: unknown): Promise<ImportResultResponse> {
    const result = await this.imports.importRows(integration, kind, body);
    if (result.kind === 'invalid') throw new BadRequestException(result.problem);
    return result.counts;
  }
}
