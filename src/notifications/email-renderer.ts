import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Handlebars from 'handlebars';
import { formatDate, formatMoney } from '../web/format';
import { EMAIL_LANGUAGES, EmailLanguage } from './email-templates';

/** Beside this file both in `src/` and in `dist/src/` (nest-cli copies the .hbs assets). */
export const TEMPLATES_ROOT = join(__dirname, 'templates');

type Part = 'subject' | 'html' | 'text';
const SHARED_FOLDERS = new Set(['layouts', 'partials']);

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** What every template may use besides its params, as `@companyName` and `@unsubscribeUrl`. */
export interface RenderContext {
  companyName: string;
  /** The one-click link that turns this e-mail's topic off; the footer shows it when there is one. */
  unsubscribeUrl?: string;
}

/**
 * Renders `templates/<message>/<language>/{subject,html,text}.hbs`. Each language has
 * its own private Handlebars instance, so partials such as `footer` resolve to
 * `partials/<language>/footer.hbs`. An HTML body is `{{#> layout}}…{{/layout}}`
 * (`layouts/html.hbs`), a text body ends with `{{> text-footer}}`; both define
 * `{{#*inline "reason"}}`, the footer's "why you got this e-mail". Templates are
 * strict: a missing param throws. Each file is compiled once, here.
 */
export class EmailRenderer {
  /** Message names found on disk. */
  readonly templates: readonly string[];
  private readonly compiled = new Map<string, Record<Part, HandlebarsTemplateDelegate>>();

  constructor(root: string = TEMPLATES_ROOT) {
    this.templates = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !SHARED_FOLDERS.has(entry.name))
      .map((entry) => entry.name)
      .sort();
    for (const language of EMAIL_LANGUAGES) {
      const handlebars = createHandlebars(root, language);
      for (const template of this.templates) {
        const source = (part: Part) => readTemplate(join(root, template, language, `${part}.hbs`));
        // Subject and text are plain text: HTML-escaping them would show "&amp;" to the reader.
        this.compiled.set(`${template}/${language}`, {
          subject: handlebars.compile(source('subject'), { strict: true, noEscape: true }),
          html: handlebars.compile(source('html'), { strict: true }),
          text: handlebars.compile(source('text'), { strict: true, noEscape: true }),
        });
      }
    }
  }

  has(template: string): boolean {
    return this.templates.includes(template);
  }

  render(template: string, language: EmailLanguage, params: object, context: RenderContext): RenderedEmail {
    const compiled = this.compiled.get(`${template}/${language}`);
    if (!compiled) throw new Error(`Unknown e-mail template "${template}" in language "${language}"`);
    const data = { language, companyName: context.companyName, unsubscribeUrl: context.unsubscribeUrl ?? null };
    const subject = compiled.subject(params, { data }).replace(/\s+/g, ' ').trim();
    return {
      subject,
      html: compiled.html(params, { data: { ...data, subject } }),
      text: `${compiled.text(params, { data }).trim()}\n`,
    };
  }
}

function readTemplate(file: string): string {
  if (!existsSync(file)) throw new Error(`E-mail template file missing: ${file}`);
  return readFileSync(file, 'utf8');
}

function hbsFiles(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.hbs'))
    .map((name) => join(folder, name));
}

function createHandlebars(root: string, language: EmailLanguage): typeof Handlebars {
  const handlebars = Handlebars.create();
  handlebars.registerHelper('money', (forints: number) => formatMoney(forints));
  handlebars.registerHelper('eq', (left: unknown, right: unknown) => left === right);
  // Params travel as JSON, so a timestamp arrives as an ISO string; it must be shown as
  // a Budapest date, not cut at its UTC date.
  handlebars.registerHelper('date', (value: string | Date) =>
    formatDate(typeof value === 'string' && value.includes('T') ? new Date(value) : value),
  );
  // English needs "1 hour" but "24 hours"; Hungarian nouns stay singular after a number.
  handlebars.registerHelper('plural', (count: unknown, one: string, many: string) => {
    // Helper arguments escape strict mode, so a missing count must be caught here.
    if (!Number.isInteger(count)) throw new Error(`plural needs a whole number, got ${String(count)}`);
    return `${count} ${count === 1 ? one : many}`;
  });
  // Partials are registered compiled: one given as text is compiled again on every render.
  // A text part's partials (text-*) are plain text like the part itself.
  const partial = (name: string, source: string) =>
    handlebars.registerPartial(name, handlebars.compile(source, { strict: true, noEscape: name.startsWith('text-') }));
  partial('layout', readTemplate(join(root, 'layouts', 'html.hbs')));
  for (const file of [...hbsFiles(join(root, 'partials')), ...hbsFiles(join(root, 'partials', language))]) {
    partial(basename(file, '.hbs'), readFileSync(file, 'utf8'));
  }
  return handlebars;
}
