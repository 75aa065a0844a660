import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readDictionaries, translate, TranslationError } from './i18n';

describe('translate', () => {
  it('gives the text in the asked language', () => {
    expect(translate('hu', 'menu.invoices')).toBe('Számlák');
    expect(translate('en', 'menu.invoices')).toBe('Invoices');
  });

  it('fills {placeholders} from the params', () => {
    expect(translate('hu', 'layout.loggedInCustomer', { name: 'Minta Ügyfél', code: 'SU0044' })).toBe(
      'Bejelentkezett ügyfél: Minta Ügyfél (SU0044)',
    );
    expect(translate('en', 'layout.loggedInCustomer', { name: 'Minta Ügyfél', code: 'SU0044' })).toBe(
      'Logged in customer: Minta Ügyfél (SU0044)',
    );
  });

  it('throws on a missing key, in every environment', () => {
    expect(() => translate('hu', 'menu.nope')).toThrow(new TranslationError('No "hu" translation for "menu.nope"'));
  });

  it('throws on a missing param rather than showing "{name}"', () => {
    expect(() => translate('hu', 'layout.loggedInCustomer', { code: 'SU0044' })).toThrow('needs the param "name"');
  });
});

describe('dictionaries', () => {
  const dictionaries = readDictionaries();
  const modules = [...new Set(dictionaries.map((dictionary) => dictionary.module))];

  it('include the web shell', () => {
    expect(modules).toContain('web');
  });

  it.each(modules)('of %s have exactly the same keys in hu and en', (module) => {
    const keys = (language: string) =>
      Object.keys(dictionaries.find((dictionary) => dictionary.module === module && dictionary.language === language)!.messages).sort();
    expect(keys('en')).toEqual(keys('hu'));
  });

  it.each(modules)('of %s use the same placeholders in hu and en', (module) => {
    const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    const [hu, en] = ['hu', 'en'].map(
      (language) => dictionaries.find((dictionary) => dictionary.module === module && dictionary.language === language)!.messages,
    );
    for (const key of Object.keys(hu))
      expect({ key, placeholders: placeholders(en[key] ?? '') }).toEqual({ key, placeholders: placeholders(hu[key]) });
  });

  it('of other modules must prefix their keys with the module name', () => {
    const root = mkdtempSync(join(tmpdir(), 'portal-i18n-'));
    try {
      mkdirSync(join(root, 'billing', 'i18n'), { recursive: true });
      writeFileSync(join(root, 'billing', 'i18n', 'hu.json'), JSON.stringify({ 'menu.invoices': 'Számlák' }));
      writeFileSync(join(root, 'billing', 'i18n', 'en.json'), JSON.stringify({ 'menu.invoices': 'Invoices' }));
      expect(() => readDictionaries(root)).toThrow('"menu.invoices" must start with "billing."');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('must exist for every language', () => {
    const root = mkdtempSync(join(tmpdir(), 'portal-i18n-'));
    try {
      mkdirSync(join(root, 'billing', 'i18n'), { recursive: true });
      writeFileSync(join(root, 'billing', 'i18n', 'hu.json'), JSON.stringify({ 'billing.title': 'Számlák' }));
      expect(() => readDictionaries(root)).toThrow(/Dictionary missing: .*en\.json/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
