import { Body, Controller, ForbiddenException, Get, HttpException, Put, UseGuards, ValidationPipe } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsArray, IsObject, IsString } from 'class-validator';
import { ApiEndpoint } from '../core/api-contract';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { PAYMENT_METHODS, PaymentMethod } from '../identity/customer.entity';
import { WriteLimited } from '../identity/write-limit.guard';
import { ANSWER_DAYS_MAX, ANSWER_DAYS_MIN } from './company-settings-rules';
import { PROFILE_FIELDS, ProfileField } from './profile-settings.entity';
import { CompanySettings, ProfileSettingsService } from './profile-settings.service';

const validation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

class AnswerDeadlineResponse {
  @ApiProperty({ example: 'data_change' }) kind!: string;
  @ApiProperty({ example: 15, description: "The kind's default, used while the company has set none" }) defaultDays!: number;
  @ApiProperty({ type: Number, nullable: true, example: 10, description: "The company's own deadline; null: the default applies" })
  days!: number | null;
}

export class CompanySettingsResponse {
  @ApiProperty({ enum: PROFILE_FIELDS, isArray: true, description: 'The fields customers may change online' })
  editableFields!: ProfileField[];
  @ApiProperty({ enum: PAYMENT_METHODS, isArray: true, description: 'The payment methods customers may choose' })
  paymentMethods!: PaymentMethod[];
  @ApiProperty({ type: [AnswerDeadlineResponse], description: 'Every request kind, in days from submission' })
  answerDeadlines!: AnswerDeadlineResponse[];
}

export class CompanySettingsDto {
  @ApiProperty({ enum: PROFILE_FIELDS, isArray: true, example: ['email', 'phone', 'postcode', 'town', 'address', 'paymentMethod'] })
  @IsArray()
  @IsString({ each: true })
  editableFields!: string[];

  @ApiProperty({ enum: PAYMENT_METHODS, isArray: true, example: ['postal_order', 'bank_transfer'], description: 'At least one' })
  @IsArray()
  @IsString({ each: true })
  paymentMethods!: string[];

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', nullable: true, minimum: ANSWER_DAYS_MIN, maximum: ANSWER_DAYS_MAX },
    example: { data_change: 10, e_invoice: null },
    description: "Days per request kind; null goes back to the kind's default; kinds not named keep theirs",
  })
  @IsObject()
  answerDays!: Record<string, number | null>;
}

const toResponse = (settings: CompanySettings): CompanySettingsResponse => ({
  editableFields: [...settings.editableFields],
  paymentMethods: [...settings.paymentMethods],
  answerDeadlines: settings.answerDeadlines.map(({ kind, defaultDays, days }) => ({ kind, defaultDays, days })),
});

/** The company's settings for customer requests (admins): what customers may change online, payment methods, answer deadlines. */
@ApiTags('back office')
@Controller('api/v1/backoffice/settings')
@UseGuards(BackofficeGuard)
@MinRole('admin')
export class CompanySettingsController {
  constructor(private readonly settings: ProfileSettingsService) {}

  @Get()
  @ApiEndpoint({ operationId: 'getCompanySettings', summary: "Your company's settings for customer requests (admin)", access: 'clerk' })
  @ApiOkResponse({ type: CompanySettingsResponse })
  async get(@Clerk() clerk: ClerkIdentity): Promise<CompanySettingsResponse> {
    return toResponse(await this.settings.settings(clerk.companyId));
  }

  @Put()
  @ApiEndpoint({
    operationId: 'updateCompanySettings',
    summary: "Changes your company's settings for customer requests, in one transaction (admin)",
    access: 'clerk',
    errors: {
      400: 'Unknown fields, payment methods or request kinds, no payment method, or answer days outside 1–365 (code invalid, with errors)',
      429: 'More writes a minute than allowed; retryAfterSeconds (and Retry-After) say when to try again',
    },
  })
  @WriteLimited()
  @ApiOkResponse({ type: CompanySettingsResponse, description: 'The settings as saved' })
  async update(@Clerk() clerk: ClerkIdentity, @Body(validation) body: CompanySettingsDto): Promise<CompanySettingsResponse> {
    const result = await this.settings.update(clerk, body);
    if (result.ok) return toResponse(result.value);
    if (result.error.code === 'forbidden') throw new ForbiddenException(result.error.message);
    throw new HttpException({ statusCode: 400, error: 'Bad Request', ...result.error }, 400);
  }
}
