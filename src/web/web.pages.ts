import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CompanyDirectory } from './company-directory.service';

/** The shell's own pages: the public landing page and the static information pages. */
@ApiExcludeController()
@Controller()
export class WebPages {
  constructor(private readonly companies: CompanyDirectory) {}

  @Get()
  @Render('web/home')
  async home() {
    return { companies: await this.companies.list() };
  }

  @Get('contact')
  @Render('web/contact')
  contact() {
    return { titleKey: 'contact.title' };
  }

  @Get('terms')
  @Render('web/terms')
  terms() {
    return { titleKey: 'terms.title' };
  }
}
