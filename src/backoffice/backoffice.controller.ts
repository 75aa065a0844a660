import {
  ConflictException,
  Body,
  Put,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  HttpException,
  NotFoundException,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { ApiEndpoint, COOKIE_WITHOUT_CSRF } from '../core/api-contract';
import { ClerkAuthService, ClerkIdentity, ClerkLoginResult } from '../identity/clerk-auth.service';
import { ClerkAction, ClerkChangeResult, ClerkService, ClerkView, CreateClerkResult } from '../identity/clerk.service';
import { SecurityAuditService } from '../identity/security-audit.service';
import { SessionService } from '../identity/session.service';
import { AllowWithoutTotp, BackofficeGuard, Clerk, MinRole } from './backoffice.guard';
import {
  ChangeClerkRoleDto,
  ClerkLoginDto,
  ClerkLoginResponse,
  ClerkMeResponse,
  ClerkResponse,
  CreateClerkDto,
  SecurityEventPageResponse,
  SecurityEventResponse,
  SecurityEventsQueryDto,
  TotpCodeDto,
  TotpEnrolmentResponse,
} from './backoffice.dto';

const validation = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

export function actorOf(clerk: ClerkIdentity) {
  return { companyId: clerk.companyId, clerkId: clerk.clerkId, role: clerk.role };
}

/** Maps a refused clerk creation to its HTTP answer (shared by the API and the page). */
export function createClerkError(result: Exclude<CreateClerkResult, { kind: 'created' }>): HttpException {
  if (result.kind === 'forbidden') return new ForbiddenException('Only an admin may create clerks');
  if (result.kind === 'emailTaken')
    return new HttpException({ statusCode: 409, message: ['email is already used by a clerk of this company'], error: 'Conflict' }, 409);
  return new HttpException({ statusCode: 400, message: [`password is not acceptable: ${result.problem}`], error: 'Bad Request' }, 400);
}

type ClerkChangeRefusal = Exclude<ClerkChangeResult, { kind: 'changed' | 'unchanged' }>;

const SELF_REFUSED: Readonly<Record<ClerkAction, string>> = {
  resetTotp: 'You cannot reset your own second factor: ask another admin',
  deactivate: 'You cannot deactivate your own account: ask another admin',
  reactivate: 'You cannot reactivate your own account',
  changeRole: 'You cannot change your own role: ask another admin',
};

/** Maps a refused admin action on a clerk to its HTTP answer. */
export function clerkChangeError(action: ClerkAction, result: ClerkChangeRefusal): HttpException {
  switch (result.kind) {
    case 'forbidden':
      return new ForbiddenException('Only an active admin may administer clerks');
    case 'notFound':
      return new NotFoundException('No clerk with this id in your company');
    case 'self':
      return new ConflictException(SELF_REFUSED[action]);
    case 'lastAdmin':
      return new ConflictException("This clerk is the company's last active admin: make another clerk admin first");
    case 'noSecondFactor':
      return new ConflictException('This clerk has no second factor to reset');
  }
}

/** The clerk as changed (or as already was), or the refusal as an HTTP error. */
function changedClerk(action: ClerkAction, result: ClerkChangeResult): ClerkView {
  if (result.kind === 'changed' || result.kind === 'unchanged') return result.clerk;
  throw clerkChangeError(action, result);
}

/** The back office's JSON API: login, clerk accounts, the security audit trail. */
@ApiTags('back office')
@Controller('api/v1/backoffice')
export class BackofficeController {
  constructor(
    private readonly auth: ClerkAuthService,
    private readonly clerks: ClerkService,
    private readonly audit: SecurityAuditService,
    private readonly sessions: SessionService,
  ) {}

  @Post('auth/login')
  @HttpCode(200)
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
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ClerkLoginResponse> {
    const result: ClerkLoginResult = await this.auth.login({
      companyCode: body.company,
      email: body.email,
      password: body.password,
      totpCode: body.totpCode,
      ip: req.ip ?? null,
    });
    if (result.kind === 'locked') {
      res.setHeader('Retry-After', String(result.retryAfterSeconds));
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
  async logout(@Clerk() clerk: ClerkIdentity, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
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
  @HttpCode(204)
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  @ApiEndpoint({
    operationId: 'confirmTotpEnrolment',
    summary: 'Confirms TOTP enrolment with a current code from the app',
    access: 'clerk',
    errors: { 400: 'The code is malformed or not valid for the secret being enrolled' },
  })
  @ApiNoContentResponse({ description: 'The second factor is set up' })
  async confirmTotp(@Clerk() clerk: ClerkIdentity, @Body(validation) body: TotpCodeDto, @Req() req: Request): Promise<void> {
    if (!(await this.auth.confirmTotpEnrolment(clerk.companyId, clerk.clerkId, body.code, req.ip ?? null))) {
      throw new HttpException({ statusCode: 400, message: ['code is not valid for the secret being enrolled'], error: 'Bad Request' }, 400);
    }
  }

  @Get('clerks')
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiEndpoint({ operationId: 'listClerks', summary: "The company's clerks (admin)", access: 'clerk' })
  @ApiOkResponse({ type: ClerkResponse, isArray: true })
  async listClerks(@Clerk() clerk: ClerkIdentity): Promise<ClerkResponse[]> {
    return (await this.clerks.list(actorOf(clerk))) ?? [];
  }

  @Get('clerks/:id')
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiEndpoint({
    operationId: 'getClerk',
    summary: 'One clerk of the company (admin)',
    access: 'clerk',
    errors: { 400: 'The id is not an integer', 404: 'No clerk with this id in your company' },
  })
  @ApiOkResponse({ type: ClerkResponse })
  async getClerk(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number): Promise<ClerkResponse> {
    const found = await this.clerks.find(actorOf(clerk), id);
    if (!found) throw new NotFoundException();
    return found;
  }

  @Post('clerks')
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiEndpoint({
    operationId: 'createClerk',
    summary: "Creates a clerk in the admin's company (admin)",
    access: 'clerk',
    errors: {
      400: 'A field is missing or malformed, or the password is refused',
      409: 'The e-mail is already used by a clerk of this company',
    },
  })
  @ApiCreatedResponse({ type: ClerkResponse })
  async createClerk(@Clerk() clerk: ClerkIdentity, @Body(validation) body: CreateClerkDto, @Req() req: Request): Promise<ClerkResponse> {
    const result = await this.clerks.create(actorOf(clerk), body, req.ip ?? null);
    if (result.kind !== 'created') throw createClerkError(result);
    return result.clerk;
  }

  @Post('clerks/:id/totp/reset')
  @HttpCode(200)
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiEndpoint({
    operationId: 'resetClerkTotp',
    access: 'clerk',
    errors: {
      400: 'The id is not an integer',
      404: 'No clerk with this id in your company',
      409: 'Your own second factor, or the clerk has none',
    },
    summary: "Resets a clerk's second factor (admin)",
    description:
      'Clears the TOTP secret: at the next login the clerk must enrol a new one before anything else, whatever the role. ' +
      "Ends all of the clerk's sessions and tokens; recorded as totp_reset.",
  })
  @ApiOkResponse({ type: ClerkResponse })
  async resetTotp(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Req() req: Request): Promise<ClerkResponse> {
    return changedClerk('resetTotp', await this.clerks.resetTotp(actorOf(clerk), id, req.ip ?? null));
  }

  @Post('clerks/:id/deactivate')
  @HttpCode(200)
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiEndpoint({
    operationId: 'deactivateClerk',
    access: 'clerk',
    errors: {
      400: 'The id is not an integer',
      404: 'No clerk with this id in your company',
      409: "Your own account, or the company's last active admin",
    },
    summary: 'Deactivates a clerk (admin)',
    description:
      "The clerk can no longer log in (the login answers as for a wrong password); all of the clerk's sessions and tokens end at once. " +
      'Recorded as clerk_deactivated. Deactivating an inactive clerk changes nothing.',
  })
  @ApiOkResponse({ type: ClerkResponse })
  async deactivate(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Req() req: Request): Promise<ClerkResponse> {
    return changedClerk('deactivate', await this.clerks.deactivate(actorOf(clerk), id, req.ip ?? null));
  }

  @Post('clerks/:id/reactivate')
  @HttpCode(200)
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiEndpoint({
    operationId: 'reactivateClerk',
    access: 'clerk',
    errors: { 400: 'The id is not an integer', 404: 'No clerk with this id in your company', 409: 'Your own account' },
    summary: 'Reactivates a deactivated clerk (admin)',
    description: 'The clerk may log in again with the password and second factor they had. Recorded as clerk_reactivated.',
  })
  @ApiOkResponse({ type: ClerkResponse })
  async reactivate(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Req() req: Request): Promise<ClerkResponse> {
    return changedClerk('reactivate', await this.clerks.reactivate(actorOf(clerk), id, req.ip ?? null));
  }

  @Put('clerks/:id/role')
  @HttpCode(200)
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiEndpoint({
    operationId: 'changeClerkRole',
    access: 'clerk',
    errors: {
      400: 'The id is not an integer, or an unknown role',
      404: 'No clerk with this id in your company',
      409: "Your own role, or demoting the company's last active admin",
    },
    summary: "Changes a clerk's role (admin)",
    description:
      "Ends all of the clerk's sessions and tokens; a new admin without a second factor must enrol one at the next login. " +
      'Recorded as clerk_role_changed. Giving the role the clerk has changes nothing.',
  })
  @ApiOkResponse({ type: ClerkResponse })
  async changeRole(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Body(validation) body: ChangeClerkRoleDto,
    @Req() req: Request,
  ): Promise<ClerkResponse> {
    return changedClerk('changeRole', await this.clerks.changeRole(actorOf(clerk), id, body.role, req.ip ?? null));
  }

  @Get('security-events')
  @UseGuards(BackofficeGuard)
  @MinRole('supervisor')
  @ApiEndpoint({
    operationId: 'listSecurityEvents',
    summary: "The company's security audit trail, newest first, keyset-paginated (supervisor)",
    access: 'clerk',
    errors: { 400: 'An invalid filter or cursor' },
  })
  @ApiOkResponse({ type: SecurityEventPageResponse })
  async listEvents(@Clerk() clerk: ClerkIdentity, @Query(validation) query: SecurityEventsQueryDto): Promise<SecurityEventPageResponse> {
    const page = await this.audit.list(clerk, {
      actorKind: query.actorKind,
      actorId: query.actorId,
      before: query.before,
      limit: query.limit ?? 50,
    });
    if (!page) throw new ForbiddenException('Supervisors and admins only');
    return page;
  }

  @Get('security-events/:id')
  @UseGuards(BackofficeGuard)
  @MinRole('supervisor')
  @ApiEndpoint({
    operationId: 'getSecurityEvent',
    summary: 'One security event of the company (supervisor)',
    access: 'clerk',
    errors: { 400: 'The id is not an integer', 404: 'No security event with this id in your company' },
  })
  @ApiOkResponse({ type: SecurityEventResponse })
  async getEvent(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number): Promise<SecurityEventResponse> {
    const event = await this.audit.get(clerk, id);
    if (!event) throw new NotFoundException();
    return event;
  }
}
