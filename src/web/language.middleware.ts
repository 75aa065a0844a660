import { NextFunction, Request, Response } from 'express';
import { isLanguage, Language } from './i18n';

export const LANGUAGE_COOKIE = 'lang';
const ONE_YEAR_MS = 365 * 24 * 3600 * 1000;
/** JSON endpoints neither get a language cookie nor need one. */
const NON_PAGE_PATH = /^\/(api|health|static)(\/|$)/;

/** `?lang=` wins (and is remembered), then the cookie, then the installation's default. */
export function chooseLanguage(requested: unknown, remembered: unknown, fallback: Language): Language {
  if (isLanguage(requested)) return requested;
  if (isLanguage(remembered)) return remembered;
  return fallback;
}

/**
 * Puts the page language and the request URL in `res.locals` for the layout; a
 * `?lang=en|hu` choice is stored in a cookie for a year. Needs cookie-parser before it.
 */
export function languageMiddleware(defaultLanguage: Language, secureCookie: boolean) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (NON_PAGE_PATH.test(req.path)) return next();
    const requested = req.query.lang;
    const lang = chooseLanguage(requested, (req.cookies as Record<string, unknown> | undefined)?.[LANGUAGE_COOKIE], defaultLanguage);
    if (isLanguage(requested)) {
      res.cookie(LANGUAGE_COOKIE, lang, { httpOnly: true, sameSite: 'lax', secure: secureCookie, maxAge: ONE_YEAR_MS, path: '/' });
    }
    res.locals.lang = lang;
    res.locals.requestUrl = req.originalUrl;
    next();
  };
}
