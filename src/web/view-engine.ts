import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { AppConfig, servesHttps } from '../../config/configuration';
import './http';
import { loadTranslations } from './i18n';
import { languageHook } from './language.middleware';
import { SOURCE_ROOT, ViewRenderer } from './view-renderer';

/**
 * The web shell's HTTP set-up: Handlebars pages (`reply.render('billing/invoices', model)`
 * renders `src/billing/views/invoices.hbs` in the layout, see ViewRenderer, so each module
 * keeps its pages in its own folder), `reply.locals` for the layout, `/static/` assets and
 * the page language. @fastify/cookie is registered here, unsigned, because the language
 * cookie is the first cookie the portal reads (the session reads the same parsed cookies).
 */
export async function configureViews(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const cache = config.NODE_ENV !== 'development';
  loadTranslations();
  const renderer = new ViewRenderer({ root: SOURCE_ROOT, watch: !cache, defaultLanguage: config.DEFAULT_LANGUAGE });
  // View name -> template file; looked up on disk once in production, every time in development.
  const files = new Map<string, string>();
  const templateOf = (view: string): string => {
    const known = files.get(view);
    if (known) return known;
    const file = renderer.resolve(view);
    if (!file) throw new Error(`No view "${view}" (expected src/<module>/views/<name>.hbs)`);
    if (cache) files.set(view, file);
    return file;
  };

  await app.register(fastifyCookie);
  const fastify = app.getHttpAdapter().getInstance();
  function render(this: FastifyReply, view: string, model: Record<string, unknown> = {}): FastifyReply {
    const html = renderer.render(templateOf(view), { ...this.locals, ...model });
    return this.type('text/html; charset=utf-8').send(html);
  }
  fastify.decorateReply('locals', null as unknown as Record<string, unknown>);
  fastify.decorateReply('render', render);
  // Nest's `@Render(view)` calls `reply.view(view, model)` (the name @fastify/view gives it).
  fastify.decorateReply('view', render);
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.locals = {};
    done();
  });

  // Asset URLs carry a content hash (the `asset` helper), so a year-long cache is safe.
  app.useStaticAssets({
    root: join(SOURCE_ROOT, 'web', 'public'),
    prefix: '/static/',
    index: false,
    maxAge: cache ? '365d' : 0,
    immutable: cache,
  });
  fastify.addHook('onRequest', languageHook(config.DEFAULT_LANGUAGE, servesHttps(config)));
}
