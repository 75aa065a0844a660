import { chooseLanguage } from './language.middleware';

describe('chooseLanguage', () => {
  it('takes ?lang= first, then the cookie, then the default', () => {
    expect(chooseLanguage('en', 'hu', 'hu')).toBe('en');
    expect(chooseLanguage(undefined, 'en', 'hu')).toBe('en');
    expect(chooseLanguage(undefined, undefined, 'hu')).toBe('hu');
  });

  it('ignores what is not a supported language', () => {
    expect(chooseLanguage('de', 'fr', 'hu')).toBe('hu');
    expect(chooseLanguage(['en', 'hu'], undefined, 'hu')).toBe('hu');
  });
});
