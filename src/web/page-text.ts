import { PageReply } from './http';
import { isLanguage, Language, translate, TranslationParams } from './i18n';

/** The page's language, as the language middleware chose it for this response. */
export function pageLanguage(res: PageReply): Language {
  const value: unknown = res.locals.lang;
  return isLanguage(value) ? value : 'hu';
}

/** A text in the page's language (for messages a page controller builds: errors, flashes). */
export function pageText(res: PageReply, key: string, params?: TranslationParams): string {
  return translate(pageLanguage(res), key, params);
}
