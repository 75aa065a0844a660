import { signUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token';

const SECRET = 'a-test-secret-of-at-least-thirty-two-chars';
const target = { companyId: 3, customerId: 4711, topic: 'invoice_overdue' as const };

describe('unsubscribe tokens', () => {
  it('round-trips what it signed', () => {
    const token = signUnsubscribeToken(target, SECRET);
    expect(token).toMatch(/^3\.4711\.invoice_overdue\.[A-Za-z0-9_-]{43}$/);
    expect(verifyUnsubscribeToken(token, SECRET)).toEqual(target);
  });

  it('refuses a changed customer, topic or company, another secret, and junk', () => {
    const token = signUnsubscribeToken(target, SECRET);
    const signed = token.split('.')[3];
    expect(verifyUnsubscribeToken(`3.4712.invoice_overdue.${signed}`, SECRET)).toBeNull();
    expect(verifyUnsubscribeToken(`3.4711.due_date_reminder.${signed}`, SECRET)).toBeNull();
    expect(verifyUnsubscribeToken(`4.4711.invoice_overdue.${signed}`, SECRET)).toBeNull();
    expect(verifyUnsubscribeToken(token, `${SECRET}-other`)).toBeNull();
    for (const junk of [undefined, 42, '', 'x.y.z.w', `${token}.`, token.slice(0, -1)])
      expect(verifyUnsubscribeToken(junk, SECRET)).toBeNull();
  });

  it('refuses a well-signed token for a topic that does not exist', () => {
    const forged = signUnsubscribeToken({ ...target, topic: 'no_such_topic' as never }, SECRET);
    expect(verifyUnsubscribeToken(forged, SECRET)).toBeNull();
  });
});
