import { Controller, Get, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PageReply } from '../web/http';
import { DataSource } from 'typeorm';
import { ClerkIdentity } from '../identity/clerk-auth.service';
import { BackofficeGuard, Clerk } from '../identity/clerk.guard';
import { roleAtLeast } from '../identity/clerk-roles';
import { Company } from '../identity/company.entity';
import { BackofficeRedirectFilter } from '../web/backoffice-redirect.filter';

/** The back office's home: who is logged in, and the links to the work the clerk's role allows. */
@ApiExcludeController()
@Controller('backoffice')
@UseFilters(BackofficeRedirectFilter)
export class BackofficeHomePages {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @UseGuards(BackofficeGuard)
  async home(@Clerk() clerk: ClerkIdentity, @Res() res: PageReply): Promise<void> {
    const company = await this.dataSource.manager.findOneByOrFail(Company, { id: clerk.companyId });
    res.render('approval/home', {
      titleKey: 'approval.home.title',
      clerk: { name: clerk.name, roleKey: `backoffice.role.${clerk.role}` },
      companyName: company.name,
      canSeeClerks: roleAtLeast(clerk.role, 'admin'),
      canSeeEvents: roleAtLeast(clerk.role, 'supervisor'),
    });
  }
}
