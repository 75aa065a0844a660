import {
  BadRequestException,
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
  UseGuards,
  ValidationPipe,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { PageRequest } from '../web/http';
import { ApiEndpoint } from '../core/api-contract';
import { ClerkIdentity } from './clerk-auth.service';
import {
  CLERK_ACTION_PATHS,
  ClerkActionDto,
  clerkActionOfPath,
  ClerkResponse,
  CreateClerkDto,
  SecurityEventPageResponse,
  SecurityEventResponse,
  SecurityEventsQueryDto,
} from './clerk.dto';
import { CLERK_ROLES } from './clerk.entity';
import { BackofficeGuard, Clerk, MinRole } from './clerk.guard';
import { ClerkAction, ClerkChangeResult, ClerkService, ClerkView, CreateClerkResult } from './clerk.service';
import { SecurityAuditService } from './security-audit.service';
import { WriteLimited } from './write-limit.guard';

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
  @WriteLimited()
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
  async createClerk(
    @Clerk() clerk: ClerkIdentity,
    @Body(validation) body: CreateClerkDto,
    @Req() req: PageRequest,
  ): Promise<ClerkResponse> {
    const result = await this.clerks.create(actorOf(clerk), body, req.ip ?? null);
    if (result.kind !== 'created') throw createClerkError(result);
    return result.clerk;
  }

  @Post('clerks/:id/:action')
  @WriteLimited()
  @HttpCode(200)
  @UseGuards(BackofficeGuard)
  @MinRole('admin')
  @ApiEndpoint({
    operationId: 'administerClerk',
    access: 'clerk',
    errors: {
      400: 'The id is not an integer, or the role action without a known role',
      404: 'No clerk with this id in your company, or no such action',
      409: "Your own account, the company's last active admin, or a second-factor reset of a clerk who has none",
    },
    summary: 'An admin action on a clerk (admin): totp-reset, deactivate, reactivate or role',
    description:
      "Each ends all of the clerk's sessions and tokens at once and is recorded as a security event. " +
      '`totp-reset` clears the second factor: the clerk must enrol a new one at the next login (totp_reset). ' +
      '`deactivate`: the login answers as for a wrong password (clerk_deactivated). ' +
      '`reactivate`: the clerk may log in again with the password and second factor they had (clerk_reactivated). ' +
      '`role` with `{ "role": … }` gives another role (clerk_role_changed). ' +
      'When the clerk already is so (an inactive clerk deactivated, the role they have) nothing changes.',
  })
  @ApiParam({ name: 'action', enum: Object.values(CLERK_ACTION_PATHS) })
  @ApiOkResponse({ type: ClerkResponse })
  async administer(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Param('action') path: string,
    @Body(validation) body: ClerkActionDto,
    @Req() req: PageRequest,
  ): Promise<ClerkResponse> {
    const action = clerkActionOfPath(path);
    if (!action) throw new NotFoundException(`No clerk action "${path}": use ${Object.values(CLERK_ACTION_PATHS).join(', ')}`);
    if (action === 'changeRole' && !body.role) throw new BadRequestException([`role must be one of ${CLERK_ROLES.join(', ')}`]);
    return changedClerk(action, await this.clerks.administer(actorOf(clerk), id, action, body.role ?? clerk.role, req.ip ?? null));
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
