import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { formatDate, formatMoney } from './format';
import { isLanguage, Language, translate, TranslationParams } from './i18n';
import { ShellContext, shellLinks } from './shell';

/** `src/` when running from sources, `dist/src/` when compiled (nest-cli copies the .hbs files). */
export const SOURCE_ROOT = join(__dirname, '..');

/** `<module>/<view>`, with optional sub-folders: `billing/invoices/detail`. */
const VIEW_NAME = /^([a-z][a-z0-9-]*)\/([a-z0-9-]+(?:\/[a-z0-9-]+)*)$/;
const SHELL_MODULE = 'web';

export interface ViewRendererOptions {
  /** The folder holding one sub-folder per module. */
  root: string;
  /**
   * Development: before each render, compare the template files' (and hashed assets')
   * modification times with those they were compiled from, and recompile only what
   * changed, so edits show at once. Off in production: compiled once, never looked at again.
   */
  watch: boolean;
  defaultLanguage: Language;
}

interface CompiledPage {
  template: HandlebarsTemplateDelegate;
  modifiedAt: number;
}

interface Compiled {
  handlebars: typeof Handlebars;
  layout: HandlebarsTemplateDelegate;
  pages: Map<string, CompiledPage>;
  assetVersions: Map<string, string>;
  /** What the layout, partials and asset hashes were built from (partial folders too, so an added partial counts), with modification times. */
  sources: Map<string, number>;
}

/** A file's (or folder's) modification time; -1 when it is gone. */
function modifiedAt(path: string): number {
  return statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? -1;
}

/**
 * Renders module pages inside the shared layout through one private Handlebars
 * instance (no global Handlebars state, prototype access left off). Templates are
 * strict, so a misspelt field throws instead of printing nothing; every `{{value}}`
 * is HTML-escaped, and the layout's `{{{body}}}` is the only unescaped output.
 *
 * Views: `<module>/<view>` → `<root>/<module>/views/<view>.hbs`.
 * Partials: `<root>/web/views/partials/<name>.hbs` as `{{> name}}`, and a module's own
 * `<root>/<module>/views/partials/<name>.hbs` as `{{> <module>/<name>}}`.
 */
export class ViewRenderer {
  private compiled: Compiled | undefined;

  constructor(private readonly options: ViewRendererOptions) {}

  /** The template file for a view name, or undefined when there is none. */
  resolve(name: string): string | undefined {
    const match = VIEW_NAME.exec(name);
    if (!match) return undefined;
    const file = join(this.options.root, match[1], 'views', `${match[2]}.hbs`);
    return existsSync(file) ? file : undefined;
  }

  /** Renders a template file (as resolved above) in the layout. */
  render(file: string, context: ShellContext & Record<string, unknown>): string {
    const compiled = this.load();
    const pageModifiedAt = this.options.watch ? modifiedAt(file) : 0;
    let page = compiled.pages.get(file);
    if (!page || page.modifiedAt !== pageModifiedAt) {
      page = { template: compiled.handlebars.compile(readFileSync(file, 'utf8'), { strict: true }), modifiedAt: pageModifiedAt };
      compiled.pages.set(file, page);
    }
    const lang = isLanguage(context.lang) ? context.lang : this.options.defaultLanguage;
    const data = { ...context, ...shellLinks(context), lang };
    const runtime = { data: { lang } };
    return compiled.layout({ ...data, body: page.template(data, runtime) }, runtime);
  }

  /** The layout, partials and helpers; built again (pages too) when, watching, any of their sources changed. */
  private load(): Compiled {
    if (this.compiled && !(this.options.watch && this.sourcesChanged(this.compiled.sources))) return this.compiled;
    const handlebars = Handlebars.create();
    const compiled: Compiled = { handlebars, layout: () => '', pages: new Map(), assetVersions: new Map(), sources: new Map() };
    this.registerHelpers(compiled);
    this.registerPartials(compiled);
    const layout = join(this.options.root, SHELL_MODULE, 'views', 'layouts', 'main.hbs');
    compiled.sources.set(layout, modifiedAt(layout));
    compiled.layout = handlebars.compile(readFileSync(layout, 'utf8'), { strict: true });
    this.compiled = compiled;
    return compiled;
  }

  private sourcesChanged(sources: Map<string, number>): boolean {
    for (const [path, at] of sources) if (modifiedAt(path) !== at) return true;
    return false;
  }

  private registerHelpers({ handlebars, assetVersions, sources }: Compiled): void {
    handlebars.registerHelper('t', (key: unknown, options: Handlebars.HelperOptions) => {
      if (typeof key !== 'string') throw new Error(`The t helper needs a key, got ${String(key)}`);
      return translate((options.data as { lang: Language }).lang, key, options.hash as TranslationParams);
    });
    handlebars.registerHelper('money', (forints: number) => formatMoney(forints));
    handlebars.registerHelper('date', (value: Date | string) => formatDate(value));
    handlebars.registerHelper('eq', (left: unknown, right: unknown) => left === right);
    // A content hash in the query lets the browser cache /static/ files for a year yet see each new release.
    handlebars.registerHelper('asset', (name: string) => {
      let version = assetVersions.get(name);
      if (!version) {
        const file = join(this.options.root, SHELL_MODULE, 'public', name);
        sources.set(file, modifiedAt(file));
        version = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
        assetVersions.set(name, version);
      }
      return `/static/${name}?v=${version}`;
    });
  }

  private registerPartials({ handlebars, sources }: Compiled): void {
    for (const module of readdirSync(this.options.root, { withFileTypes: true })) {
      const folder = join(this.options.root, module.name, 'views', 'partials');
      if (!module.isDirectory() || !existsSync(folder)) continue;
      sources.set(folder, modifiedAt(folder));
      for (const file of readdirSync(folder).filter((name) => name.endsWith('.hbs'))) {
        const name = basename(file, '.hbs');
        const path = join(folder, file);
        sources.set(path, modifiedAt(path));
        handlebars.registerPartial(module.name === SHELL_MODULE ? name : `${module.name}/${name}`, readFileSync(path, 'utf8'));
      }
    }
  }
}
