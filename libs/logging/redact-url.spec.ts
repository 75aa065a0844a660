import { redactQuery, redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('replaces the values of token, key, secret and password parameters, keeping the rest', () => {
    expect(redactUrl('/register/verify?token=abc.DEF_123')).toBe('/register/verify?token=[Redacted]');
    expect(redactUrl('/password/reset?lang=en&token=abc&x=1')).toBe('/password/reset?lang=en&token=[Redacted]&x=1');
    expect(redactUrl('/a?api_key=1&clientSecret=2&Password=3&pageToken=4')).toBe(
      '/a?api_key=[Redacted]&clientSecret=[Redacted]&Password=[Redacted]&pageToken=[Redacted]',
    );
    expect(redactUrl('http://localhost:3000/x?%74oken=abc#top')).toBe('http://localhost:3000/x?%74oken=[Redacted]#top');
  });

  it('leaves URLs without secrets alone', () => {
    expect(redactUrl('/backoffice/queue?kind=reading&after=12')).toBe('/backoffice/queue?kind=reading&after=12');
    expect(redactUrl('/readings')).toBe('/readings');
    expect(redactUrl('/x?flag&token')).toBe('/x?flag&token');
  });

  it('redacts a parsed query object', () => {
    expect(redactQuery({ token: 'abc', lang: 'en' })).toEqual({ token: '[Redacted]', lang: 'en' });
    expect(redactQuery(undefined)).toBeUndefined();
  });
});
