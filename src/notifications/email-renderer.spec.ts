import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EmailRenderer } from './email-renderer';
import { EMAIL_LANGUAGES, EMAIL_TEMPLATES, EmailParams, EmailTemplate } from './email-templates';

/** Sample params for every template; the type makes a new template need one. */
const SAMPLES: { [T in EmailTemplate]: EmailParams<T> } = {
  'email-verification': { customerName: 'Kiss Anna', link: 'https://portal.example/verify?token=abc&x=1', expiresInHours: 48 },
  'password-reset': { link: 'https://portal.example/reset?token=def', expiresInHours: 1 },
  notification: {
    title: 'Új számla érkezett',
    lines: ['Számlaszám: SZ-2025/0042', 'Fizetési határidő: 2025.12.15'],
    link: { url: 'https://portal.example/invoices/42', label: 'Számla megtekintése' },
  },
  'due-date-reminder': {
    customerName: 'Kiss Anna',
    invoiceNumber: 'SZ-2025/0042',
    dueOn: '2025-12-15',
    openAmount: 38837,
    link: 'https://portal.example/invoices',
  },
  'invoice-overdue': {
    customerName: 'Kiss Anna',
    invoiceNumber: 'SZ-2025/0042',
    dueOn: '2025-12-15',
    openAmount: 38837,
    link: 'https://portal.example/invoices',
  },
  'invoice-issued': {
    customerName: 'Kiss Anna',
    invoiceNumber: 'SZ-2025/0042',
    issuedOn: '2025-12-01',
    dueOn: '2025-12-15',
    grossTotal: 38837,
    eInvoice: true,
    link: 'https://portal.example/invoices/42',
  },
  'payment-receipt': {
    customerName: 'Kiss Anna',
    amount: 51337,
    reference: '501234567',
    paidAt: '2025-12-03T22:30:00.000Z',
    allocations: [
      { reference: 'SZ-2025/0042', description: 'Távhő 2025. november', amount: 38837 },
      { reference: 'K-2025/0007', description: 'Késedelmi kamat', amount: 12500 },
    ],
    link: 'https://portal.example/payments/7',
  },
  'request-decided': {
    customerName: 'Kiss Anna',
    outcome: 'rejected',
    subject: 'Mérőállását nem fogadtuk el',
    summary: 'A(z) M-1234 gyári számú mérő 2025.12.01. napi állása: 365,5 m³.',
    reason: 'A fénykép nem olvasható.',
    link: { url: 'https://portal.example/readings', label: 'Mérőállások megtekintése' },
  },
  'reading-window-opened': {
    customerName: 'Kiss Anna',
    opensOn: '2025-12-01',
    closesOn: '2025-12-10',
    link: 'https://portal.example/readings',
  },
  'reading-window-closing': {
    customerName: 'Kiss Anna',
    opensOn: '2025-12-01',
    closesOn: '2025-12-10',
    link: 'https://portal.example/readings',
  },
};

/** Params a template may go without. */
const OPTIONAL: { [T in EmailTemplate]?: Array<keyof EmailParams<T>> } = { notification: ['link'], 'request-decided': ['reason'] };

const context = { companyName: 'Példa Távhő Zrt.' };
const templates = Object.keys(SAMPLES) as EmailTemplate[];

describe('EmailRenderer', () => {
  const renderer = new EmailRenderer();

  it('finds exactly the templates the portal declares, with sample params for each', () => {
    expect(renderer.templates).toEqual(Object.keys(EMAIL_TEMPLATES).sort());
    expect(templates.sort()).toEqual(Object.keys(EMAIL_TEMPLATES).sort());
  });

  describe.each(templates)('%s', (template) => {
    it.each(EMAIL_LANGUAGES)('renders in %s with the layout, footer and a plain-text part', (language) => {
      const sample = SAMPLES[template];
      expect(EMAIL_TEMPLATES[template].safeParse(sample).success).toBe(true);
      const email = renderer.render(template, language, sample, context);
      expect(email.subject).toMatch(/^[^\n]+ – Példa Távhő Zrt\.$/);
      expect(email.html).toMatch(/^<!DOCTYPE html>/);
      expect(email.html).toContain(`<html lang="${language}">`);
      expect(email.html).toContain(`<title>${email.subject}</title>`);
      expect(email.html).toContain(language === 'hu' ? 'Azért kapta ezt a levelet' : 'You received this e-mail');
      expect(email.text).toContain(language === 'hu' ? 'Azért kapta ezt a levelet' : 'You received this e-mail');
      expect(email.text).toMatch(/\.\n(Ez egy automatikus|This is an automated) .* Példa Távhő Zrt\./);
      expect(email.text).not.toMatch(/<[a-z]/i);
      for (const text of [email.subject, email.html, email.text]) expect(text).not.toMatch(/{{|}}|undefined|\[object/);
      if ('link' in sample && typeof sample.link === 'string') expect(email.text).toContain(sample.link);
    });

    it('requires every param but the optional ones; optional ones may be left out', () => {
      const optional: string[] = OPTIONAL[template] ?? [];
      for (const key of Object.keys(SAMPLES[template])) {
        const { [key]: _left, ...rest } = SAMPLES[template] as Record<string, unknown>;
        expect({ key, accepted: EMAIL_TEMPLATES[template].safeParse(rest).success }).toEqual({ key, accepted: optional.includes(key) });
        if (optional.includes(key)) {
          for (const language of EMAIL_LANGUAGES) expect(() => renderer.render(template, language, rest, context)).not.toThrow();
        }
      }
    });
  });

  it('is strict: a param the template uses but did not get throws instead of printing nothing', () => {
    const { customerName: _left, ...rest } = SAMPLES['email-verification'];
    expect(() => renderer.render('email-verification', 'hu', rest, context)).toThrow('"customerName" not defined');
    expect(() => renderer.render('password-reset', 'en', { link: 'https://portal.example/r' }, context)).toThrow(
      'plural needs a whole number, got undefined',
    );
  });

  it('escapes params in HTML but not in the subject or the plain text', () => {
    const params = { title: 'Víz & <b>gáz</b>', lines: ['<script>alert(1)</script>'] };
    const email = renderer.render('notification', 'hu', params, { companyName: 'A & B <Kft>' });
    expect(email.subject).toBe('Víz & <b>gáz</b> – A & B <Kft>');
    expect(email.html).toContain('Víz &amp; &lt;b&gt;gáz&lt;/b&gt;');
    expect(email.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email.html).toContain('A &amp; B &lt;Kft&gt;');
    expect(email.html).not.toContain('<script>');
    expect(email.text).toContain('<script>alert(1)</script>');
    expect(email.text).not.toContain('&amp;');
  });

  it('writes English plurals and keeps the link intact in HTML', () => {
    const one = renderer.render('password-reset', 'en', { link: 'https://portal.example/r?a=1&b=2', expiresInHours: 1 }, context);
    expect(one.text).toContain('valid for 1 hour.');
    // Handlebars also escapes "=", which HTML reads back as the same character.
    expect(one.html).toContain('href="https://portal.example/r?a&#x3D;1&amp;b&#x3D;2"');
    const many = renderer.render('password-reset', 'en', { link: 'https://portal.example/r', expiresInHours: 24 }, context);
    expect(many.text).toContain('valid for 24 hours.');
  });

  it('refuses an unknown template', () => {
    expect(renderer.has('no-such-mail')).toBe(false);
    expect(() => renderer.render('no-such-mail', 'hu', {}, context)).toThrow('Unknown e-mail template "no-such-mail"');
  });

  describe('with a templates folder of its own', () => {
    let root: string;
    const write = (path: string, source: string) => {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), source);
    };

    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'email-templates-'));
      write('layouts/html.hbs', '{{> @partial-block}}');
      for (const language of EMAIL_LANGUAGES) {
        write(`bill/${language}/subject.hbs`, 'Számla');
        write(`bill/${language}/html.hbs`, '{{#> layout}}{{money amount}} {{date due}} {{date issuedAt}}{{/layout}}');
        write(`bill/${language}/text.hbs`, '{{constructor}}{{__proto__}}');
      }
    });

    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('formats money and dates with the shared formatters, timestamps in Budapest time', () => {
      const email = new EmailRenderer(root).render(
        'bill',
        'hu',
        { amount: 38837, due: '2014-11-30', issuedAt: '2014-11-30T23:30:00.000Z' },
        context,
      );
      expect(email.html).toBe('38\u00a0837\u00a0Ft 2014.11.30 2014.12.01');
    });

    it('gives templates no access to prototype properties', () => {
      expect(new EmailRenderer(root).render('bill', 'hu', { amount: 1, due: '2014-11-30', issuedAt: '2014-11-30' }, context).text).toBe(
        '\n',
      );
    });

    it('refuses to start when a language lacks one of the three files', () => {
      rmSync(join(root, 'bill/en/text.hbs'));
      expect(() => new EmailRenderer(root)).toThrow(/E-mail template file missing: .*bill\/en\/text\.hbs/);
    });
  });
});
