import {
  Body,
  ConflictException,
  Controller,
  Get,
  Header,
  HttpCode,
  HttpException,
  NotFoundException,
  Post,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { PageReply, PageRequest } from '../web/http';
import { ApiEndpoint, COOKIE_WITHOUT_CSRF } from '../core/api-contract';
import { ClerkAuthService, ClerkIdentity, ClerkLoginResult } from './clerk-auth.service';
import { ClerkLoginDto, ClerkLoginResponse, ClerkMeResponse, TotpCodeDto, TotpConfirmedResponse, TotpEnrolmentResponse } from './clerk.dto';
import { AllowWithoutTotp, BackofficeGuard, Clerk } from './clerk.guard';
import { LoginUnlockService } from './login-unlock.service';
import { SessionService } from './session.service';
import { WriteLimited } from './write-limit.guard';

const validation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

/** The back office's JSON API for every clerk: login with a second factor, logout, enrolment. */
@ApiTags('back office')
@Controller('api/v1/backoffice')
export class ClerkAuthController {
  constructor(
    private readonly auth: ClerkAuthService,
    private readonly sessions: SessionService,
    private readonly unlock: LoginUnlockService,
  ) {}

  @Post('auth/login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiEndpoint({
    operationId: 'clerkLogin',
    summary: 'Clerk login: company code, e-mail, password and (if enrolled) a TOTP code; returns a bearer token',
    access: 'public',
    errors: {
      400: 'A field is missing or malformed',
      403: COOKIE_WITHOUT_CSRF,
      401: 'Wrong company, e-mail, password or code; totpRequired: true when only the code is missing',
      429: 'Locked after repeated failures; retryAfterSeconds (and Retry-After) tell how long',
    },
  })
  @ApiOkResponse({ type: ClerkLoginResponse })
  async login(
    @Body(validation) body: ClerkLoginDto,
    @Req() req: PageRequest,
    @Res({ passthrough: true }) res: PageReply,
  ): Promise<ClerkLoginResponse> {
    const result: ClerkLoginResult = await this.auth.login({
      companyCode: body.company,
      email: body.email,
      password: body.password,
      totpCode: body.totpCode,
      ip: req.ip ?? null,
      deviceToken: this.unlock.deviceToken(req),
    });
    if (result.kind === 'locked') {
      res.header('Retry-After', String(result.retryAfterSeconds));
      throw new HttpException({ statusCode: 429, message: 'Too many failed attempts', retryAfterSeconds: result.retryAfterSeconds }, 429);
    }
    if (result.kind === 'totpRequired')
      throw new UnauthorizedException({ statusCode: 401, message: 'TOTP code required', totpRequired: true });
    if (result.kind === 'invalid') throw new UnauthorizedException('Wrong company, e-mail, password or code');
    const c = result.clerk;
    const token = await this.sessions.issueApiToken({
      kind: 'clerk',
      companyId: c.companyId,
      clerkId: c.clerkId,
      name: c.name,
      role: c.role,
    });
    return { token, expiresAt: this.sessions.idleExpiryFromNow().toISOString(), mustEnrolTotp: c.mustEnrolTotp };
  }

  @Post('auth/logout')
  @HttpCode(204)
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  @ApiEndpoint({ operationId: 'clerkLogout', summary: 'Revokes the clerk’s bearer token', access: 'clerk' })
  @ApiNoContentResponse({ description: 'The token is revoked' })
  async logout(@Clerk() clerk: ClerkIdentity, @Req() req: PageRequest, @Res({ passthrough: true }) res: PageReply): Promise<void> {
    await this.sessions.end(req, res);
    await this.auth.recordLogout(clerk.companyId, clerk.clerkId, req.ip ?? null);
  }

  @Get('me')
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  @ApiEndpoint({ operationId: 'getClerkMe', summary: 'The logged-in clerk', access: 'clerk' })
  @ApiOkResponse({ type: ClerkMeResponse })
  me(@Clerk() clerk: ClerkIdentity): ClerkMeResponse {
    return { id: clerk.clerkId, companyId: clerk.companyId, name: clerk.name, role: clerk.role, mustEnrolTotp: clerk.mustEnrolTotp };
  }

  @Post('totp/enrolment')
  @WriteLimited()
  @HttpCode(200)
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  @ApiEndpoint({
    operationId: 'startTotpEnrolment',
    summary: 'Starts TOTP enrolment: a new secret, saved only when confirmed with a code',
    access: 'clerk',
    errors: { 404: 'The clerk no longer exists', 409: 'A second factor is already set up; an admin must reset it first' },
  })
  @ApiOkResponse({ type: TotpEnrolmentResponse })
  async startTotp(@Clerk() clerk: ClerkIdentity): Promise<TotpEnrolmentResponse> {
    const enrolment = await this.auth.startTotpEnrolment(clerk.companyId, clerk.clerkId);
    if (!enrolment) throw new NotFoundException();
    if (enrolment === 'alreadyEnrolled')
      throw new ConflictException('A second factor is already set up; an admin must reset it before a new one');
    return enrolment;
  }

  @Post('totp/enrolment/confirm')
  @WriteLimited()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  @ApiEndpoint({
    operationId: 'confirmTotpEnrolment',
    summary: 'Confirms TOTP enrolment with a current code from the app; answers with a fresh token',
    description: 'Ends every session and token of the clerk (this one too) and answers with a fresh token: use it from now on.',
    access: 'clerk',
    errors: { 400: 'The code is malformed or not valid for the secret being enrolled' },
  })
  @ApiOkResponse({ type: TotpConfirmedResponse })
  async confirmTotp(
    @Clerk() clerk: ClerkIdentity,
    @Body(validation) body: TotpCodeDto,
    @Req() req: PageRequest,
  ): Promise<TotpConfirmedResponse> {
    if (!(await this.auth.confirmTotpEnrolment(clerk.companyId, clerk.clerkId, body.code, req.ip ?? null))) {
      throw new HttpException({ statusCode: 400, message: ['code is not valid for the secret being enrolled'], error: 'Bad Request' }, 400);
    }
    const principal = req.principal;
    await this.sessions.endAllFor({ kind: 'clerk', companyId: clerk.companyId, id: clerk.clerkId });
    if (!principal) throw new UnauthorizedException();
    return { token: await this.sessions.issueApiToken(principal), expiresAt: this.sessions.idleExpiryFromNow().toISOString() };
  }
}
