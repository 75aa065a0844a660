import { LANGUAGES, Language } from './i18n';

/** What a page controller (or a login middleware, through `res.locals`) may give the layout. */
export interface ShellContext {
  lang?: Language;
  /** The request URL (path and query) the page answers; marks the current menu item. */
  requestUrl?: string;
  currentCustomer?: { name: string; code: string };
}

export interface ShellLink {
  href: string;
  key: string;
  current: boolean;
}

export interface LanguageLink {
  code: Language;
  labelKey: string;
  href: string;
}

type LinkDefinition = Omit<ShellLink, 'current'>;

const CUSTOMER_MENU: readonly LinkDefinition[] = [
  { href: '/', key: 'menu.home' },
  { href: '/debts', key: 'menu.debts' },
  { href: '/invoices', key: 'menu.invoices' },
  { href: '/readings', key: 'menu.readings' },
  { href: '/profile', key: 'menu.profile' },
  { href: '/password', key: 'menu.password' },
];

const ANONYMOUS_MENU: readonly LinkDefinition[] = [
  { href: '/', key: 'menu.home' },
  { href: '/login', key: 'menu.login' },
  { href: '/register', key: 'menu.register' },
];

const FOOTER_LINKS: readonly LinkDefinition[] = [
  { href: '/contact', key: 'footer.contact' },
  { href: '/terms', key: 'footer.terms' },
];

/** The request URL split safely; leading slashes collapse so a link can never become `//other.host`. */
function parseRequestUrl(requestUrl: string): URL {
  const url = new URL(requestUrl, 'http://portal.invalid');
  url.pathname = url.pathname.replace(/^\/+/, '/');
  return url;
}

/** A section stays current on its sub-pages (`/invoices/2014S000572` marks Számlák); home only on `/`. */
function isCurrent(href: string, path: string): boolean {
  return href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
}

function mark(links: readonly LinkDefinition[], path: string): ShellLink[] {
  return links.map((link) => ({ ...link, current: isCurrent(link.href, path) }));
}

/** The menu, footer and language links the layout shows for this request. */
export function shellLinks(context: ShellContext): { menu: ShellLink[]; footerLinks: ShellLink[]; languageLinks: LanguageLink[] } {
  const url = parseRequestUrl(context.requestUrl ?? '/');
  const languageLinks = LANGUAGES.map((code) => {
    const target = new URL(url);
    target.searchParams.set('lang', code);
    return { code, labelKey: `language.${code}`, href: `${target.pathname}${target.search}` };
  });
  return {
    menu: mark(context.currentCustomer ? CUSTOMER_MENU : ANONYMOUS_MENU, url.pathname),
    footerLinks: mark(FOOTER_LINKS, url.pathname),
    languageLinks,
  };
}
