import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/** The shell's static information pages (the landing page `web/home` is answered at `/` by billing's HomePage). */
@ApiExcludeController()
@Controller()
export class WebPages {
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
