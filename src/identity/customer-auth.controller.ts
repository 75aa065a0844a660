import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  HttpException,
  HttpStatus,
  NotFoundException,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PageReply, PageRequest } from '../web/http';
import { ApiEndpoint, COOKIE_WITHOUT_CSRF } from '../core/api-contract';
import { AccountDeletionService } from './account-deletion.service';
import { parseForintAmount } from './amount';
import { CurrentCustomer, CustomerGuard, CustomerRef } from './auth.guards';
import {
  AcceptedResponseDto,
  ChangePasswordDto,
  DeleteAccountDto,
  ForgotPasswordDto,
  LoginDto,
  LoginResponseDto,
  MeResponseDto,
  RegisterDto,
  SetPasswordDto,
} from './customer-auth.dto';
import { CustomerLoginService } from './customer-login.service';
import { CustomerPasswordService } from './customer-password.service';
import { RegistrationService } from './registration.service';
import { LoginUnlockService } from './login-unlock.service';
import { SessionService } from './session.service';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password-policy';
import { minutesToWait } from './throttle-policy';
import { WriteLimited } from './write-limit.guard';

/** The API takes no language choice (the page language is a page cookie): its e-mails are in Hungarian. */
const API_MAIL_LANGUAGE = 'hu';

const ACCEPTED = 'If the data matched, we sent an e-mail.';

function tooMany(retryAfterSeconds: number): HttpException {
  return new HttpException(
    { statusCode: 429, message: `Too many attempts; try again in ${minutesToWait(retryAfterSeconds)} minutes`, retryAfterSeconds },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}

const PASSWORD_PROBLEMS: Record<string, (field: string) => string> = {
  tooShort: (field) => `${field} must be at least ${PASSWORD_MIN_LENGTH} characters long`,
  tooLong: (field) => `${field} must be at most ${PASSWORD_MAX_LENGTH} characters long`,
  common: (field) => `${field} is one of the 10,000 most common passwords; choose another`,
  invalidLink: () => 'token is invalid, already used or expired; ask for a new link',
  emailTaken: () => 'the e-mail address already belongs to another account of this company',
};

/** A refused password (or link) as a 400 naming the field and what to do. */
function passwordProblem(reason: string, field = 'password'): BadRequestException {
  const describe = PASSWORD_PROBLEMS[reason] ?? ((name: string) => `${name} ${reason}`);
  return new BadRequestException({ statusCode: 400, error: 'Bad Request', message: [describe(field)] });
}

/** The customers' JSON API for identity: registration, login, logout, password, account. */
@ApiTags('auth')
@Controller('api/v1')
export class CustomerAuthController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly logins: CustomerLoginService,
    private readonly passwords: CustomerPasswordService,
    private readonly deletion: AccountDeletionService,
    private readonly sessions: SessionService,
    private readonly unlock: LoginUnlockService,
  ) {}

  @Post('auth/register')
  @HttpCode(202)
  @ApiEndpoint({
    operationId: 'register',
    summary: 'Asks for an account: customer code, an invoice’s number and gross amount, e-mail; a link is e-mailed',
    access: 'public',
    errors: {
      400: 'A field is missing, malformed or too long (named in message)',
      403: COOKIE_WITHOUT_CSRF,
      429: 'Too many registration attempts from this IP or for this customer code',
    },
  })
  @ApiAcceptedResponse({ type: AcceptedResponseDto, description: 'Always the same answer, whether or not the data matched' })
  async register(@Body() body: RegisterDto, @Req() req: PageRequest): Promise<AcceptedResponseDto> {
    const grossAmount = parseForintAmount(body.amount);
    if (grossAmount === null)
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: ['amount must be a whole forint amount'] });
    const result = await this.registration.register({
      companyId: body.companyId,
      customerCode: body.customerCode,
      invoiceNumber: body.invoiceNumber,
      grossAmount,
      email: body.email,
      language: API_MAIL_LANGUAGE,
      ip: req.ip ?? null,
    });
    if (!result.allowed) throw tooMany(result.retryAfterSeconds);
    return { message: ACCEPTED };
  }

  @Post('auth/register/verify')
  @WriteLimited({ anonymous: 'people' })
  @HttpCode(204)
  @ApiEndpoint({
    operationId: 'completeRegistration',
    summary: 'Completes a registration with the e-mailed token and a password',
    access: 'public',
    errors: {
      400: 'Link invalid, used or expired, or the password refused',
      403: COOKIE_WITHOUT_CSRF,
    },
  })
  @ApiNoContentResponse({ description: 'Account created; log in with the password' })
  async verify(@Body() body: SetPasswordDto, @Req() req: PageRequest): Promise<void> {
    const result = await this.registration.complete(body.token, body.password, API_MAIL_LANGUAGE, req.ip ?? null);
    if (!result.ok) throw passwordProblem(result.reason);
  }

  @Post('auth/login')
  @HttpCode(200)
  @ApiEndpoint({
    operationId: 'login',
    summary: 'Customer login with customer code or e-mail and password; returns a bearer token',
    access: 'public',
    errors: {
      400: 'A field is missing or malformed',
      403: COOKIE_WITHOUT_CSRF,
      401: 'Wrong login details (never says which)',
      429: 'Locked after repeated failures; retryAfterSeconds tells how long',
    },
  })
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: LoginResponseDto })
  async login(@Body() body: LoginDto, @Req() req: PageRequest): Promise<LoginResponseDto> {
    const result = await this.logins.login({ ...body, ip: req.ip ?? null, deviceToken: this.unlock.deviceToken(req) });
    if (!result.ok) {
      if (result.reason === 'locked') throw tooMany(result.retryAfterSeconds);
      throw new UnauthorizedException('Wrong login details');
    }
    const token = await this.sessions.issueApiToken(result.principal);
    return { token, expiresAt: this.sessions.idleExpiryFromNow().toISOString() };
  }

  @Post('auth/logout')
  @HttpCode(204)
  @UseGuards(CustomerGuard)
  @ApiEndpoint({ operationId: 'logout', summary: 'Revokes the bearer token', access: 'customer' })
  @ApiNoContentResponse({ description: 'The token is revoked' })
  async logout(@Req() req: PageRequest, @Res({ passthrough: true }) res: PageReply): Promise<void> {
    await this.sessions.end(req, res);
  }

  @Post('auth/password/forgot')
  @HttpCode(202)
  @ApiEndpoint({
    operationId: 'forgotPassword',
    summary: 'Asks for a password reset link by e-mail',
    access: 'public',
    errors: {
      400: 'A field is missing or malformed',
      403: COOKIE_WITHOUT_CSRF,
      429: 'Too many reset requests; retryAfterSeconds tells how long',
    },
  })
  @ApiAcceptedResponse({ type: AcceptedResponseDto, description: 'Always the same answer' })
  async forgot(@Body() body: ForgotPasswordDto, @Req() req: PageRequest): Promise<AcceptedResponseDto> {
    const result = await this.passwords.requestReset({
      ...body,
      language: API_MAIL_LANGUAGE,
      ip: req.ip ?? null,
    });
    if (!result.allowed) throw tooMany(result.retryAfterSeconds);
    return { message: ACCEPTED };
  }

  @Post('auth/password/reset')
  @WriteLimited({ anonymous: 'people' })
  @HttpCode(204)
  @ApiEndpoint({
    operationId: 'resetPassword',
    summary: 'Sets a new password with the e-mailed reset token',
    access: 'public',
    errors: {
      400: 'Link invalid, used or expired, or the password refused',
      403: COOKIE_WITHOUT_CSRF,
    },
  })
  @ApiNoContentResponse({ description: 'Password set; every session of the customer ended' })
  async reset(@Body() body: SetPasswordDto, @Req() req: PageRequest): Promise<void> {
    const result = await this.passwords.completeReset(body.token, body.password, req.ip ?? null);
    if (!result.ok) throw passwordProblem(result.reason);
  }

  @Get('me')
  @UseGuards(CustomerGuard)
  @ApiEndpoint({
    operationId: 'getMe',
    summary: 'The logged-in customer: name, code, e-mail and company',
    access: 'customer',
    errors: { 404: 'The customer no longer exists' },
  })
  @ApiOkResponse({ type: MeResponseDto })
  async me(@CurrentCustomer() customer: CustomerRef): Promise<MeResponseDto> {
    const profile = await this.logins.profile(customer.companyId, customer.customerId);
    if (!profile) throw new NotFoundException();
    return profile;
  }

  @Post('me/password')
  @WriteLimited()
  @HttpCode(204)
  @UseGuards(CustomerGuard)
  @ApiEndpoint({
    operationId: 'changePassword',
    summary: 'Changes the password (the current one is asked again)',
    access: 'customer',
    errors: {
      400: 'The current password is wrong, or the new one is refused',
      429: 'Too many wrong current passwords; retryAfterSeconds tells how long',
    },
  })
  @ApiNoContentResponse({ description: 'Changed; the customer’s other sessions and tokens are ended' })
  async changePassword(@CurrentCustomer() customer: CustomerRef, @Body() body: ChangePasswordDto, @Req() req: PageRequest): Promise<void> {
    const result = await this.passwords.change(customer, body.currentPassword, body.newPassword, req.portalSession?.id, req.ip ?? null);
    if (result.ok) return;
    if (result.reason === 'locked') throw tooMany(result.retryAfterSeconds);
    if (result.reason === 'currentWrong')
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: ['currentPassword is wrong'] });
    throw passwordProblem(result.reason, 'newPassword');
  }

  @Delete('me')
  @WriteLimited()
  @HttpCode(204)
  @UseGuards(CustomerGuard)
  @ApiEndpoint({
    operationId: 'deleteMe',
    summary: 'Deletes the customer’s portal account (the password is asked again)',
    access: 'customer',
    errors: { 400: 'The password is wrong', 429: 'Too many wrong passwords; retryAfterSeconds tells how long' },
  })
  @ApiNoContentResponse({ description: 'Account deleted; billing records stay; all sessions ended' })
  async deleteMe(@CurrentCustomer() customer: CustomerRef, @Body() body: DeleteAccountDto, @Req() req: PageRequest): Promise<void> {
    const result = await this.deletion.delete(customer, body.password, req.ip ?? null);
    if (result.ok) return;
    if (result.reason === 'locked') throw tooMany(result.retryAfterSeconds);
    throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: ['password is wrong'] });
  }
}
