import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HtmlExceptionFilter } from './html-exception.filter';
import { WebPages } from './web.pages';

/** The web shell: information pages, and HTML error pages for browsers (the landing page's data: CompanyDirectory). */
@Module({
  controllers: [WebPages],
  providers: [{ provide: APP_FILTER, useClass: HtmlExceptionFilter }],
})
export class WebModule {}
