import { cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SOURCE_ROOT, ViewRenderer } from './view-renderer';

/** The module object itself (not an import namespace), so its readFileSync can be watched. */
const fs = jest.requireActual<typeof import('node:fs')>('node:fs');

const customer = { name: 'Minta Ügyfél', code: 'SU0044' };
const CUSTOMER_MENU = ['Kezdőlap', 'Tartozás', 'Számlák', 'Mérőóraállás bejelentése', 'Üzenetek', 'Ügyféladatok', 'Jelszó változtatás'];

function menuLabels(html: string): string[] {
  const nav = /<nav id="site-menu"[\s\S]*?<\/nav>/.exec(html)![0];
  return [...nav.matchAll(/<a [^>]*>([^<]*)<\/a>/g)].map((match) => match[1]);
}

describe('ViewRenderer with the real shell', () => {
  const renderer = new ViewRenderer({ root: SOURCE_ROOT, watch: false, defaultLanguage: 'hu' });
  const render = (view: string, context: Record<string, unknown>) => renderer.render(renderer.resolve(view)!, context);

  it('shows the logged-in customer and the six customer menu items', () => {
    const html = render('web/contact', { lang: 'hu', requestUrl: '/readings', currentCustomer: customer, titleKey: 'contact.title' });
    expect(html).toContain('Bejelentkezett ügyfél: Minta Ügyfél (SU0044)');
    expect(menuLabels(html)).toEqual(CUSTOMER_MENU);
    expect(html).toContain('<a class="site-nav__link" href="/readings" aria-current="page">Mérőóraállás bejelentése</a>');
    expect(html.match(/aria-current="page"/g)).toHaveLength(1);
    expect(html).toContain('<html lang="hu">');
    expect(html).toContain('<title>Kapcsolat – Ügyfélportál</title>');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it('offers visitors home, login and registration only', () => {
    const html = render('web/contact', { lang: 'hu', requestUrl: '/' });
    expect(html).not.toContain('Bejelentkezett ügyfél');
    expect(menuLabels(html)).toEqual(['Kezdőlap', 'Bejelentkezés', 'Regisztráció']);
  });

  it('renders in English when asked', () => {
    const html = render('web/contact', { lang: 'en', requestUrl: '/contact', currentCustomer: customer });
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Logged in customer: Minta Ügyfél (SU0044)');
    expect(menuLabels(html)).toEqual([
      'Home',
      'Debts',
      'Invoices',
      'Report meter reading',
      'Messages',
      'Customer details',
      'Change password',
    ]);
  });

  it('escapes HTML in every value', () => {
    const html = render('web/home', {
      lang: 'hu',
      requestUrl: '/?q="><script>alert(1)</script>',
      currentCustomer: { name: '<script>alert(1)</script>', code: 'SU"0044' },
      companies: [{ id: 1, name: '<img src=x onerror=alert(1)>' }],
      flash: { kind: 'info', message: '<b>kész</b>' },
      errors: ['<i>hibás</i>'],
    });
    expect(html).toContain('Bejelentkezett ügyfél: &lt;script&gt;alert(1)&lt;/script&gt; (SU&quot;0044)');
    expect(html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(html).toContain('&lt;b&gt;kész&lt;/b&gt;');
    expect(html).toContain('&lt;i&gt;hibás&lt;/i&gt;');
    expect(html).not.toMatch(/<script>|<img |<b>|<i>/);
  });

  it('links assets with a content hash and uses no inline script or style', () => {
    const html = render('web/home', { lang: 'hu', companies: [] });
    expect(html).toMatch(/<link rel="stylesheet" href="\/static\/styles\.css\?v&#x3D;[0-9a-f]{12}">/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=/);
  });

  it('resolves <module>/<view> to <module>/views/<view>.hbs and nothing else', () => {
    expect(renderer.resolve('web/home')).toBe(join(SOURCE_ROOT, 'web', 'views', 'home.hbs'));
    expect(renderer.resolve('web/nope')).toBeUndefined();
    expect(renderer.resolve('home')).toBeUndefined();
    expect(renderer.resolve('web/../web/views/home')).toBeUndefined();
    expect(renderer.resolve('/etc/passwd')).toBeUndefined();
  });
});

describe('ViewRenderer for another module', () => {
  let root: string;
  let renderer: ViewRenderer;

  // Each test gets fresh fixture files: one of them rewrites a template.
  beforeEach(() => {
    // A module beside the real shell, as billing or metering will be.
    root = mkdtempSync(join(tmpdir(), 'portal-views-'));
    cpSync(join(SOURCE_ROOT, 'web', 'views'), join(root, 'web', 'views'), { recursive: true });
    cpSync(join(SOURCE_ROOT, 'web', 'public'), join(root, 'web', 'public'), { recursive: true });
    mkdirSync(join(root, 'sample', 'views', 'partials'), { recursive: true });
    writeFileSync(
      join(root, 'sample', 'views', 'invoice.hbs'),
      '<p id="page">{{money amount}} | {{date due}} | {{#if (eq status "settled")}}settled{{else}}open{{/if}} | {{> sample/row}}</p>',
    );
    writeFileSync(join(root, 'sample', 'views', 'partials', 'row.hbs'), '<span>{{number}}</span>');
    writeFileSync(join(root, 'sample', 'views', 'typo.hbs'), '{{numbr}}');
    renderer = new ViewRenderer({ root, watch: true, defaultLanguage: 'hu' });
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('formats money and dates through the shared formatters, and offers eq and module partials', () => {
    const html = renderer.render(renderer.resolve('sample/invoice')!, {
      amount: 38837,
      due: '2014-11-30',
      status: 'settled',
      number: '2014S000572',
    });
    expect(html).toContain('<p id="page">38\u00a0837\u00a0Ft | 2014.11.30 | settled | <span>2014S000572</span></p>');
  });

  it('is strict: a misspelt field throws instead of printing nothing', () => {
    expect(() => renderer.render(renderer.resolve('sample/typo')!, { number: '1' })).toThrow(/"numbr" not defined/);
  });

  /** Rewrites a template with a modification time `secondsAhead` in the future, so the change is seen whatever the clock's resolution. */
  function rewrite(path: string, text: string, secondsAhead: number): void {
    writeFileSync(path, text);
    const at = new Date(Date.now() + secondsAhead * 1000);
    utimesSync(path, at, at);
  }

  const invoice = { amount: 0, due: '2014-11-30', status: 'open', number: 'X' };

  it('compiles once and reads no template again while none changed (development)', () => {
    renderer.render(renderer.resolve('sample/invoice')!, invoice);
    const reads = jest.spyOn(fs, 'readFileSync');
    try {
      renderer.render(renderer.resolve('sample/invoice')!, invoice);
      renderer.render(renderer.resolve('sample/invoice')!, invoice);
      expect(reads).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
    }
  });

  it('recompiles only the page that changed on disk (development)', () => {
    const page = join(root, 'sample', 'views', 'invoice.hbs');
    renderer.render(renderer.resolve('sample/invoice')!, invoice);
    rewrite(page, '<p id="page">changed {{number}} | {{> sample/row}}</p>', 10);
    const reads = jest.spyOn(fs, 'readFileSync');
    try {
      const html = renderer.render(renderer.resolve('sample/invoice')!, invoice);
      expect(html).toContain('<p id="page">changed X | <span>X</span></p>');
      expect(reads.mock.calls.map(([path]) => path)).toEqual([page]);
    } finally {
      reads.mockRestore();
    }
  });

  it('sees a changed or an added partial (development)', () => {
    expect(renderer.render(renderer.resolve('sample/invoice')!, invoice)).toContain('open | <span>X</span></p>');
    rewrite(join(root, 'sample', 'views', 'partials', 'row.hbs'), '<em>{{number}}</em>', 20);
    expect(renderer.render(renderer.resolve('sample/invoice')!, invoice)).toContain('open | <em>X</em></p>');
    writeFileSync(join(root, 'sample', 'views', 'partials', 'cell.hbs'), '<td>{{number}}</td>');
    const folder = join(root, 'sample', 'views', 'partials');
    const later = new Date(Date.now() + 30_000);
    utimesSync(folder, later, later);
    rewrite(join(root, 'sample', 'views', 'invoice.hbs'), '<p id="page">{{> sample/cell}}</p>', 30);
    expect(renderer.render(renderer.resolve('sample/invoice')!, invoice)).toContain('<p id="page"><td>X</td></p>');
  });

  it('keeps what it compiled when not watching (production)', () => {
    const production = new ViewRenderer({ root, watch: false, defaultLanguage: 'hu' });
    const page = join(root, 'sample', 'views', 'invoice.hbs');
    rewrite(page, '<p id="page">first</p>', 40);
    expect(production.render(page, invoice)).toContain('<p id="page">first</p>');
    rewrite(page, '<p id="page">second</p>', 50);
    expect(production.render(page, invoice)).toContain('<p id="page">first</p>');
  });
});
