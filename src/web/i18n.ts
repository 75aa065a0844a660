import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LANGUAGES = ['hu', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export type TranslationParams = Readonly<Record<string, unknown>>;

/** `src/` when running from sources, `dist/src/` when compiled (nest-cli copies the JSON files). */
const SOURCE_ROOT = join(__dirname, '..');

/** The module whose keys need no prefix: the shell's shared words (menu, layout, errors). */
const SHARED_MODULE = 'web';

export interface Dictionary {
  module: string;
  language: Language;
  file: string;
  messages: Readonly<Record<string, string>>;
}

export class TranslationError extends Error {}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * Every module's dictionaries, `src/<module>/i18n/<language>.json`: flat objects of
 * key → text. Modules other than `web` prefix their keys with the module name
 * (`billing.invoice.number`), so each module edits only its own files.
 */
export function readDictionaries(root: string = SOURCE_ROOT): Dictionary[] {
  const dictionaries: Dictionary[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const folder = join(root, entry.name, 'i18n');
    if (!entry.isDirectory() || !existsSync(folder)) continue;
    for (const language of LANGUAGES) {
      const file = join(folder, `${language}.json`);
      if (!existsSync(file)) throw new TranslationError(`Dictionary missing: ${file} (every language needs one)`);
      dictionaries.push({ module: entry.name, language, file, messages: parseDictionary(file, entry.name) });
    }
  }
  return dictionaries;
}

function parseDictionary(file: string, module: string): Record<string, string> {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TranslationError(`${file} must hold one flat object of key → text`);
  }
  for (const [key, text] of Object.entries(parsed)) {
    if (typeof text !== 'string') throw new TranslationError(`${file}: "${key}" must be a string`);
    if (module !== SHARED_MODULE && !key.startsWith(`${module}.`)) {
      throw new TranslationError(`${file}: "${key}" must start with "${module}."`);
    }
  }
  return parsed as Record<string, string>;
}

type Catalogue = Record<Language, Map<string, string>>;
let catalogue: Catalogue | undefined;

/** Reads the dictionaries once; called at boot too, so a broken file stops the start-up. */
export function loadTranslations(): Catalogue {
  if (catalogue) return catalogue;
  const loaded: Catalogue = { hu: new Map(), en: new Map() };
  for (const dictionary of readDictionaries()) {
    for (const [key, text] of Object.entries(dictionary.messages)) {
      if (loaded[dictionary.language].has(key)) throw new TranslationError(`${dictionary.file}: "${key}" is defined twice`);
      loaded[dictionary.language].set(key, text);
    }
  }
  catalogue = loaded;
  return loaded;
}

/**
 * The text for `key` in `language`, with `{name}` placeholders filled from `params`.
 * A missing key or param throws in every environment: it is a programming error
 * that the key-parity and page tests catch, never something to show a customer.
 */
export function translate(language: Language, key: string, params: TranslationParams = {}): string {
  const text = loadTranslations()[language].get(key);
  if (text === undefined) throw new TranslationError(`No "${language}" translation for "${key}"`);
  return text.replace(/\{(\w+)\}/g, (_placeholder, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) throw new TranslationError(`Translation "${key}" needs the param "${name}"`);
    return String(value);
  });
}
