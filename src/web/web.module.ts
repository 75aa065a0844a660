import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { CompanyDirectory } from './company-directory.service';
import { HtmlExceptionFilter } from './html-exception.filter';
import { WebPages } from './web.pages';

/** The web shell: landing and information pages, and HTML error pages for browsers. */
@Module({
  controllers: [WebPages],
  providers: [CompanyDirectory, { provide: APP_FILTER, useClass: HtmlExceptionFilter }],
})
export class WebModule {}
