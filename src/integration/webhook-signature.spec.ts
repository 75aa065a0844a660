import { newWebhookSecret, signWebhook, verifyWebhookSignature } from './webhook-signature';

describe('webhook signature', () => {
  const secret = newWebhookSecret();
  const body = '{"cursor":"1","type":"reading.applied"}';
  const now = new Date('2026-11-30T10:00:00Z');
  const t = Math.floor(now.getTime() / 1000);

  it('verifies what it signed over the timestamp and the raw body', () => {
    expect(verifyWebhookSignature(signWebhook(secret, t, body), body, secret, { now })).toBe(true);
    expect(verifyWebhookSignature(signWebhook(secret, t, Buffer.from(body)), Buffer.from(body), secret, { now })).toBe(true);
  });

  it('refuses another body, another secret, another timestamp and an old one', () => {
    const header = signWebhook(secret, t, body);
    expect(verifyWebhookSignature(header, `${body} `, secret, { now })).toBe(false);
    expect(verifyWebhookSignature(header, body, newWebhookSecret(), { now })).toBe(false);
    expect(verifyWebhookSignature(header.replace(`t=${t}`, `t=${t + 1}`), body, secret, { now })).toBe(false);
    expect(verifyWebhookSignature(header, body, secret, { now: new Date(now.getTime() + 301_000) })).toBe(false);
    expect(verifyWebhookSignature(undefined, body, secret, { now })).toBe(false);
    expect(verifyWebhookSignature('t=x,v1=zz', body, secret, { now })).toBe(false);
  });

  it('accepts any of several v1 signatures (a receiver rotating secrets)', () => {
    const header = `${signWebhook(secret, t, body)},v1=${'0'.repeat(64)}`;
    expect(verifyWebhookSignature(header, body, secret, { now })).toBe(true);
    expect(newWebhookSecret()).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  });
});
