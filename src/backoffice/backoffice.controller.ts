import {
  ConflictException,
  Body,
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
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { ClerkAuthService, ClerkIdentity, ClerkLoginResult } from '../identity/clerk-auth.service';
import { ClerkService, CreateClerkResult } from '../identity/clerk.service';
import { SecurityAuditService } from '../identity/security-audit.service';
import { SessionService } from '../identity/session.service';
import { AllowWithoutTotp, BackofficeGuard, Clerk, MinRole } from './backoffice.guard';
import {
  ClerkLoginDto,
  ClerkLoginResponse,
  ClerkResponse,
  CreateClerkDto,
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
  @ApiOperation({ summary: 'Clerk login: company code, e-mail, password and (if enrolled) a TOTP code; returns a bearer token' })
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
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Revokes the bearer token' })
  async logout(@Clerk() clerk: ClerkIdentity, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    await this.sessions.end(req, res);
    await this.auth.recordLogout(clerk.companyId, clerk.clerkId, req.ip ?? null);
  }

  @Get('me')
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The logged-in clerk' })
  me(@Clerk() clerk: ClerkIdentity) {
    return { id: clerk.clerkId, companyId: clerk.companyId, name: clerk.name, role: clerk.role, mustEnrolTotp: clerk.mustEnrolTotp };
  }

  @Post('totp/enrolment')
  @HttpCode(200)
  @UseGuards(BackofficeGuard)
  @AllowWithoutTotp()
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Starts TOTP enrolment: a new secret, saved only when confirmed with a code' })
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
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Confirms TOTP enrolment with a current code from the app' })
  async confirmTotp(@Clerk() clerk: ClerkIdentity, @Body(validation) body: TotpCodeDto, @Req() req: Request): Promise<void> {
    if (!(await this.auth.confirmTotpEnrolment(clerk.companyId, clerk.clerkId, body.code, req.ip ?? null))) {
      throw new HttpException({ statusCode: 400, message: ['code is not valid for the secret being enrolled'], error: 'Bad Request' }, 400);
    }
  }

  @Get('clerks')
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The company's clerks (admin)" })
  @ApiOkResponse({ type: ClerkResponse, isArray: true })
  async listClerks(@Clerk() clerk: ClerkIdentity): Promise<ClerkResponse[]> {
    return (await this.clerks.list(actorOf(clerk))) ?? [];
  }

  @Get('clerks/:id')
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'One clerk of the company (admin)' })
  @ApiOkResponse({ type: ClerkResponse })
  async getClerk(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number): Promise<ClerkResponse> {
    const found = await this.clerks.find(actorOf(clerk), id);
    if (!found) throw new NotFoundException();
    return found;
  }

  @Post('clerks')
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiBearerAuth()
  @ApiOperation({ summary: "Creates a clerk in the admin's company (admin)" })
  @ApiOkResponse({ type: ClerkResponse })
  async createClerk(@Clerk() clerk: ClerkIdentity, @Body(validation) body: CreateClerkDto, @Req() req: Request): Promise<ClerkResponse> {
    const result = await this.clerks.create(actorOf(clerk), body, req.ip ?? null);
    if (result.kind !== 'created') throw createClerkError(result);
    return result.clerk;
  }

  @Get('security-events')
  @UseGuards(BackofficeGuard)
  @MinRole('supervisor')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The company's security audit trail, newest first, keyset-paginated (supervisor)" })
  async listEvents(@Clerk() clerk: ClerkIdentity, @Query(validation) query: SecurityEventsQueryDto) {
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
  @ApiBearerAuth()
  @ApiOperation({ summary: 'One security event of the company (supervisor)' })
  async getEvent(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number) {
    const event = await this.audit.get(clerk, id);
    if (!event) throw new NotFoundException();
    return event;
  }
}
