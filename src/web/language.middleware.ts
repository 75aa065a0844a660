import type { onRequestHookHandler } from 'fastify';
import { PageReply, PageRequest } from './http';
import { isLanguage, Language } from './i18n';

export const LANGUAGE_COOKIE = 'lang';
const ONE_YEAR_SECONDS = 365 * 24 * 3600;
/** JSON endpoints neither get a language cookie nor need one. */
const NON_PAGE_PATH = /^\/(api|health|static)(\/|\?|$)/;

/** `?lang=` wins (and is remembered), then the cookie, then the installation's default. */
export function chooseLanguage(requested: unknown, remembered: unknown, fallback: Language): Language {
  if (isLanguage(requested)) return requested;
  if (isLanguage(remembered)) return remembered;
  return fallback;
}

/**
 * Puts the page language and the request URL in `reply.locals` for the layout; a
 * `?lang=en|hu` choice is stored in a cookie for a year. Runs after @fastify/cookie's hook.
 */
export function languageHook(defaultLanguage: Language, secureCookie: boolean): onRequestHookHandler {
  return (req: PageRequest, reply: PageReply, done: () => void): void => {
    if (NON_PAGE_PATH.test(req.url)) return done();
    const requested = (req.query as Record<string, unknown>).lang;
    const lang = chooseLanguage(requested, req.cookies[LANGUAGE_COOKIE], defaultLanguage);
    if (isLanguage(requested)) {
      reply.setCookie(LANGUAGE_COOKIE, lang, {
        httpOnly: true,
        sameSite: 'lax',
        secure: secureCookie,
        maxAge: ONE_YEAR_SECONDS,
        path: '/',
      });
    }
    reply.locals.lang = lang;
    reply.locals.requestUrl = req.originalUrl;
    done();
  };
}
