import { join } from 'node:path';
import { NestExpressApplication } from '@nestjs/platform-express';
import cookieParser from 'cookie-parser';
import { AppConfig, servesHttps } from '../../config/configuration';
import { loadTranslations } from './i18n';
import { languageMiddleware } from './language.middleware';
import { SOURCE_ROOT, ViewRenderer } from './view-renderer';

type RenderCallback = (error: Error | null, html?: string) => void;
type Engine = (file: string, options: object, callback: RenderCallback) => void;

/** Express's own bookkeeping in the render options, kept away from templates. */
const EXPRESS_RENDER_KEYS = new Set(['settings', '_locals', 'cache']);

/**
 * Express's default View class looks up `<views>/<name>.hbs`; ours maps
 * `res.render('billing/invoices')` to `src/billing/views/invoices.hbs`, so that
 * each module keeps its pages in its own folder. Express calls this with `new`.
 */
function moduleViewClass(renderer: ViewRenderer) {
  return class ModuleView {
    readonly path: string | undefined;
    private readonly engine: Engine;

    constructor(
      readonly name: string,
      options: { engines: Record<string, Engine> },
    ) {
      this.path = renderer.resolve(name);
      this.engine = options.engines['.hbs'];
    }

    render(options: object, callback: RenderCallback): void {
      this.engine(this.path as string, options, callback);
    }
  };
}

/**
 * The web shell's HTTP set-up: Handlebars pages (see ViewRenderer), `/static/`
 * assets, cookie parsing and the page language. cookie-parser is registered here,
 * unsigned, because the language cookie is the first cookie the portal reads;
 * whoever needs signed cookies should change this registration rather than add a
 * second one (a second cookie-parser sees `req.cookies` set and does nothing).
 */
export function configureViews(app: NestExpressApplication, config: AppConfig): void {
  const cache = config.NODE_ENV !== 'development';
  loadTranslations();
  const renderer = new ViewRenderer({ root: SOURCE_ROOT, watch: !cache, defaultLanguage: config.DEFAULT_LANGUAGE });

  app.engine('hbs', (file: string, options: object, callback: RenderCallback) => {
    try {
      const context = Object.fromEntries(Object.entries(options).filter(([key]) => !EXPRESS_RENDER_KEYS.has(key)));
      callback(null, renderer.render(file, context));
    } catch (error) {
      callback(error as Error);
    }
  });
  app.setViewEngine('hbs');
  app.setBaseViewsDir(SOURCE_ROOT);
  app.set('view', moduleViewClass(renderer));
  app.set('view cache', cache);

  // Asset URLs carry a content hash (the `asset` helper), so a year-long cache is safe.
  app.useStaticAssets(join(SOURCE_ROOT, 'web', 'public'), {
    prefix: '/static/',
    index: false,
    maxAge: cache ? '365d' : 0,
    immutable: cache,
  });
  app.use(cookieParser());
  app.use(languageMiddleware(config.DEFAULT_LANGUAGE, servesHttps(config)));
}
