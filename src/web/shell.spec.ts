import { shellLinks } from './shell';

describe('shellLinks', () => {
  it('offers home, login and register to visitors', () => {
    expect(shellLinks({ requestUrl: '/' }).menu).toEqual([
      { href: '/', key: 'menu.home', current: true },
      { href: '/login', key: 'menu.login', current: false },
      { href: '/register', key: 'menu.register', current: false },
    ]);
  });

  it('marks a section current on its sub-pages, and home only on /', () => {
    const { menu } = shellLinks({ requestUrl: '/invoices/2014S000572?print=1', currentCustomer: { name: 'Minta Ügyfél', code: 'SU0044' } });
    expect(menu.filter((link) => link.current).map((link) => link.href)).toEqual(['/invoices']);
  });

  it('gives a clerk the back-office menu, and back-office visitors only the back-office login', () => {
    const clerk = shellLinks({ requestUrl: '/backoffice/requests/7', currentClerk: { name: 'Ügyintéző', role: 'clerk' } }).menu;
    expect(clerk.map((link) => [link.href, link.current])).toEqual([
      ['/backoffice', false],
      ['/backoffice/queue', false],
      ['/backoffice/customers', false],
      ['/backoffice/payments', false],
      ['/backoffice/messages', false],
    ]);
    const currentFor = (requestUrl: string) =>
      shellLinks({ requestUrl, currentClerk: { name: 'Ü', role: 'clerk' } })
        .menu.filter((link) => link.current)
        .map((link) => link.href);
    expect(currentFor('/backoffice/payments/3')).toEqual(['/backoffice/payments']);
    expect(currentFor('/backoffice/customers/12')).toEqual(['/backoffice/customers']);
    expect(currentFor('/backoffice/queue')).toEqual(['/backoffice/queue']);
    expect(shellLinks({ requestUrl: '/backoffice/login' }).menu).toEqual([
      { href: '/backoffice/login', key: 'menu.backofficeLogin', current: true },
    ]);
    expect(shellLinks({ requestUrl: '/backofficer' }).menu.map((link) => link.href)).toEqual(['/', '/login', '/register']);
  });

  it("shows a customer's unread message count on Üzenetek only, and never to clerks", () => {
    const customer = { name: 'Minta Ügyfél', code: 'SU0044' };
    const badges = (context: Parameters<typeof shellLinks>[0]) =>
      shellLinks(context)
        .menu.filter((link) => link.badge !== undefined)
        .map((link) => [link.href, link.badge]);
    expect(badges({ requestUrl: '/', currentCustomer: customer, unreadMessages: 3 })).toEqual([['/messages', 3]]);
    expect(badges({ requestUrl: '/', currentCustomer: customer, unreadMessages: 0 })).toEqual([]);
    expect(badges({ requestUrl: '/backoffice', currentClerk: { name: 'Ü', role: 'clerk' }, unreadMessages: 3 })).toEqual([]);
  });

  it('marks the current footer page', () => {
    expect(shellLinks({ requestUrl: '/terms' }).footerLinks.map((link) => link.current)).toEqual([false, true]);
  });

  it('keeps the query when switching language', () => {
    expect(shellLinks({ requestUrl: '/invoices?page=2&lang=hu' }).languageLinks).toEqual([
      { code: 'hu', labelKey: 'language.hu', href: '/invoices?page=2&lang=hu' },
      { code: 'en', labelKey: 'language.en', href: '/invoices?page=2&lang=en' },
    ]);
  });

  it('never turns the request URL into a link to another host', () => {
    for (const requestUrl of ['//evil.example/x', '/\\evil.example/x', '///evil.example']) {
      for (const link of shellLinks({ requestUrl }).languageLinks) expect(link.href).toMatch(/^\/[^/\\]/);
    }
  });
});
