import { webhookUrlProblem } from './webhook-url';

describe('webhook URL', () => {
  it('takes absolute http(s) URLs, only https when required', () => {
    expect(webhookUrlProblem('https://athos.example/hooks/portal?x=1', true)).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', false)).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:8080/hook', true)).toBe('httpsRequired');
  });

  it('refuses other schemes, relative URLs, credentials and overlong URLs', () => {
    expect(webhookUrlProblem('ftp://athos.example/', false)).toBe('invalid');
    expect(webhookUrlProblem('/hooks', false)).toBe('invalid');
    expect(webhookUrlProblem('https://user:pw@athos.example/', false)).toBe('credentials');
    expect(webhookUrlProblem(`https://athos.example/${'a'.repeat(2000)}`, false)).toBe('invalid');
  });
});
