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
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Request } from 'express';
import { ClerkIdentity } from './clerk-auth.service';
import { ChangeClerkRoleDto, ClerkResponse, CreateClerkDto, SecurityEventsQueryDto } from './clerk.dto';
import { BackofficeGuard, Clerk, MinRole } from './clerk.guard';
import { ClerkAction, ClerkChangeResult, ClerkService, ClerkView, CreateClerkResult } from './clerk.service';
import { SecurityAuditService } from './security-audit.service';

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

/** The back office's JSON API for admins and supervisors: clerk accounts, the security audit trail. */
@ApiTags('back office')
@Controller('api/v1/backoffice')
export class ClerkAdminController {
  constructor(
    private readonly clerks: ClerkService,
    private readonly audit: SecurityAuditService,
  ) {}

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

  @Post('clerks/:id/totp/reset')
  @HttpCode(200)
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary: "Resets a clerk's second factor (admin)",
    description:
      'Clears the TOTP secret: at the next login the clerk must enrol a new one before anything else, whatever the role. ' +
      "Ends all of the clerk's sessions and tokens; recorded as totp_reset.",
  })
  @ApiOkResponse({ type: ClerkResponse })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  @ApiNotFoundResponse({ description: 'No clerk with this id in your company' })
  @ApiConflictResponse({ description: 'Your own second factor, or the clerk has none' })
  async resetTotp(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Req() req: Request): Promise<ClerkResponse> {
    return changedClerk('resetTotp', await this.clerks.resetTotp(actorOf(clerk), id, req.ip ?? null));
  }

  @Post('clerks/:id/deactivate')
  @HttpCode(200)
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Deactivates a clerk (admin)',
    description:
      "The clerk can no longer log in (the login answers as for a wrong password); all of the clerk's sessions and tokens end at once. " +
      'Recorded as clerk_deactivated. Deactivating an inactive clerk changes nothing.',
  })
  @ApiOkResponse({ type: ClerkResponse })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  @ApiNotFoundResponse({ description: 'No clerk with this id in your company' })
  @ApiConflictResponse({ description: "Your own account, or the company's last active admin" })
  async deactivate(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Req() req: Request): Promise<ClerkResponse> {
    return changedClerk('deactivate', await this.clerks.deactivate(actorOf(clerk), id, req.ip ?? null));
  }

  @Post('clerks/:id/reactivate')
  @HttpCode(200)
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Reactivates a deactivated clerk (admin)',
    description: 'The clerk may log in again with the password and second factor they had. Recorded as clerk_reactivated.',
  })
  @ApiOkResponse({ type: ClerkResponse })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  @ApiNotFoundResponse({ description: 'No clerk with this id in your company' })
  async reactivate(@Clerk() clerk: ClerkIdentity, @Param('id', ParseIntPipe) id: number, @Req() req: Request): Promise<ClerkResponse> {
    return changedClerk('reactivate', await this.clerks.reactivate(actorOf(clerk), id, req.ip ?? null));
  }

  @Put('clerks/:id/role')
  @HttpCode(200)
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiBearerAuth()
  @ApiOperation({
    summary: "Changes a clerk's role (admin)",
    description:
      "Ends all of the clerk's sessions and tokens; a new admin without a second factor must enrol one at the next login. " +
      'Recorded as clerk_role_changed. Giving the role the clerk has changes nothing.',
  })
  @ApiOkResponse({ type: ClerkResponse })
  @ApiBadRequestResponse({ description: 'Unknown role' })
  @ApiForbiddenResponse({ description: 'Not an admin' })
  @ApiNotFoundResponse({ description: 'No clerk with this id in your company' })
  @ApiConflictResponse({ description: "Your own role, or demoting the company's last active admin" })
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
