import { LANGUAGES, Language } from './i18n';

/** What a page controller (or a login middleware, through `res.locals`) may give the layout. */
export interface ShellContext {
  lang?: Language;
  /** The request URL (path and query) the page answers; marks the current menu item. */
  requestUrl?: string;
  currentCustomer?: { name: string; code: string };
  /** Set for a logged-in clerk: the layout then shows the back-office menu. */
  currentClerk?: { name: string; role: string };
  /** A logged-in customer's unread provider messages: the menu's Üzenetek shows the number. */
  unreadMessages?: number;
}

export interface ShellLink {
  href: string;
  key: string;
  current: boolean;
  /** A count shown beside the link (unread messages); absent when there is nothing to count. */
  badge?: number;
}

export interface LanguageLink {
  code: Language;
  labelKey: string;
  href: string;
}

type LinkDefinition = Omit<ShellLink, 'current' | 'badge'>;

const MESSAGES_LINK = '/messages';

const CUSTOMER_MENU: readonly LinkDefinition[] = [
  { href: '/', key: 'menu.home' },
  { href: '/debts', key: 'menu.debts' },
  { href: '/invoices', key: 'menu.invoices' },
  { href: '/readings', key: 'menu.readings' },
  { href: MESSAGES_LINK, key: 'menu.messages' },
  { href: '/profile', key: 'menu.profile' },
  { href: '/password', key: 'menu.password' },
];

const ANONYMOUS_MENU: readonly LinkDefinition[] = [
  { href: '/', key: 'menu.home' },
  { href: '/login', key: 'menu.login' },
  { href: '/register', key: 'menu.register' },
];

const CLERK_MENU: readonly LinkDefinition[] = [
  { href: '/backoffice', key: 'menu.backoffice' },
  { href: '/backoffice/queue', key: 'menu.queue' },
  { href: '/backoffice/customers', key: 'menu.customers' },
  { href: '/backoffice/payments', key: 'menu.payments' },
  { href: '/backoffice/messages', key: 'menu.sentMessages' },
];

/** Back-office pages seen before logging in offer only the back-office login. */
const BACKOFFICE_ANONYMOUS_MENU: readonly LinkDefinition[] = [{ href: '/backoffice/login', key: 'menu.backofficeLogin' }];

function menuFor(context: ShellContext, path: string): readonly LinkDefinition[] {
  if (context.currentClerk) return CLERK_MENU;
  if (context.currentCustomer) return CUSTOMER_MENU;
  const inBackoffice = path === '/backoffice' || path.startsWith('/backoffice/');
  return inBackoffice ? BACKOFFICE_ANONYMOUS_MENU : ANONYMOUS_MENU;
}

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

/** A section stays current on its sub-pages (`/invoices/2014S000572` marks Számlák); a home only on itself. */
function isCurrent(href: string, path: string): boolean {
  if (href === '/' || href === '/backoffice') return path === href;
  return path === href || path.startsWith(`${href}/`);
}

function mark(links: readonly LinkDefinition[], path: string, unreadMessages = 0): ShellLink[] {
  return links.map((link) => ({
    ...link,
    current: isCurrent(link.href, path),
    ...(link.href === MESSAGES_LINK && unreadMessages > 0 ? { badge: unreadMessages } : {}),
  }));
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
    menu: mark(menuFor(context, url.pathname), url.pathname, context.currentCustomer ? context.unreadMessages : 0),
    footerLinks: mark(FOOTER_LINKS, url.pathname),
    languageLinks,
  };
}
