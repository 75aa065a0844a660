import { Body, Controller, Get, Param, ParseIntPipe, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply, PageRequest, redirectSeeOther } from '../web/http';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { BackofficeGuard, Clerk, MinRole } from '../identity/clerk.guard';
import { WriteLimited } from '../identity/write-limit.guard';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';
import { formatDate } from '../web/format';
import { pageText as t } from '../web/page-text';
import { ApiKeysService, ApiKeyView, KEY_ADMIN_ROLE, KeyAdmin, MAX_KEY_NAME_LENGTH } from './api-keys.service';

function adminOf(clerk: ClerkIdentity): KeyAdmin {
  return { companyId: clerk.companyId, clerkId: clerk.clerkId, role: clerk.role };
}

const FORBIDDEN_PAGE = { status: 403, titleKey: 'error.request.title', textKey: 'error.request.text' };

/**
 * Admins create and revoke the billing back office's API keys. A new key is shown on the
 * answer to its creation only: the portal keeps its hash, so it can never show it again.
 */
@ApiExcludeController()
@Controller('backoffice/integration-keys')
@UseFilters(BackofficeRedirectFilter)
@UseGuards(BackofficeGuard)
@MinRole(KEY_ADMIN_ROLE)
export class ApiKeysPages {
  constructor(private readonly keys: ApiKeysService) {}

  @Get()
  async keysPage(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply, @Query('revoked') revoked?: string): Promise<void> {
    const flash = revoked ? { kind: 'success', message: t(res, 'integration.keys.revokedFlash') } : undefined;
    await this.render(clerk, res, 200, { flash });
  }

  @Post()
  @WriteLimited()
  async create(
    @Clerk() clerk: ClerkIdentity,
    @Req() req: PageRequest,
    @Res() res: PageReply,
    @Body() body: { name?: unknown },
  ): Promise<void> {
    const name = typeof body?.name === 'string' ? body.name : '';
    const result = await this.keys.create(adminOf(clerk), name, req.ip ?? null);
    if (result.kind === 'forbidden') return res.status(403).render('web/error', FORBIDDEN_PAGE);
    if (result.kind === 'invalidName') {
      return this.render(clerk, res, 400, { errors: [t(res, 'integration.keys.invalidName', { max: MAX_KEY_NAME_LENGTH })], name });
    }
    await this.render(clerk, res, 201, { created: { name: result.view.name, key: result.key } });
  }

  @Post(':id/revoke')
  @WriteLimited()
  async revoke(
    @Clerk() clerk: ClerkIdentity,
    @Param('id', ParseIntPipe) id: number,
    @Req() req: PageRequest,
    @Res() res: PageReply,
  ): Promise<void> {
    const result = await this.keys.revoke(adminOf(clerk), id, req.ip ?? null);
    if (result.kind === 'forbidden') return res.status(403).render('web/error', FORBIDDEN_PAGE);
    if (result.kind === 'notFound') {
      return res.status(404).render('web/error', { status: 404, titleKey: 'error.notFound.title', textKey: 'error.notFound.text' });
    }
    redirectSeeOther(res, '/backoffice/integration-keys?revoked=1');
  }

  private async render(
    clerk: ClerkIdentity,
    res: PageReply,
    status: number,
    extra: { flash?: { kind: string; message: string }; errors?: string[]; name?: string; created?: { name: string; key: string } },
  ): Promise<void> {
    const keys = (await this.keys.list(adminOf(clerk))) ?? [];
    res.status(status).render('integration/backoffice/keys', {
      titleKey: 'integration.keys.title',
      name: '',
      ...extra,
      keys: keys.map(rowOf),
    });
  }
}

function rowOf(key: ApiKeyView) {
  return {
    id: key.id,
    name: key.name,
    prefix: `ik_${key.prefix}_…`,
    createdOn: formatDate(key.createdAt),
    lastUsedOn: key.lastUsedAt ? formatDate(key.lastUsedAt) : null,
    revokedOn: key.revokedAt ? formatDate(key.revokedAt) : null,
  };
}
