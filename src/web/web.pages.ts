import { Controller, Get, Next, Render, Req, Res } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';
import { ApiExcludeController } from '@nestjs/swagger';
import { CompanyDirectory } from './company-directory.service';

/** The shell's own pages: the public landing page and the static information pages. */
@ApiExcludeController()
@Controller()
export class WebPages {
  constructor(private readonly companies: CompanyDirectory) {}

  /** The landing page for visitors; a logged-in customer is passed on to their home (billing's `/`, registered after this). */
  @Get()
  async home(@Req() req: Request, @Res() res: Response, @Next() next: NextFunction): Promise<void> {
    if (req.principal?.kind === 'customer') return next();
    res.render('web/home', { companies: await this.companies.list() });
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
