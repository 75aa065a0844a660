import { createTransport } from 'nodemailer';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';

describe('SmtpCatcher', () => {
  const catcher = new SmtpCatcher(2);
  let send: (to: string, subject: string) => Promise<unknown>;

  beforeAll(async () => {
    const transport = createTransport({ url: `smtp://127.0.0.1:${await catcher.start()}` });
    send = (to, subject) => transport.sendMail({ from: 'portal@example.test', to, subject, text: `Hello ${to}`, html: '<p>Hello</p>' });
  });

  afterAll(() => catcher.stop());

  it('parses what arrives and finds it by recipient and subject, before or after it came', async () => {
    const waiting = catcher.waitForMail({ to: 'Later@Example.test', subject: /^Second/ });
    await send('first@example.test', 'First');
    await send('later@example.test', 'Second message');
    await expect(waiting).resolves.toMatchObject({ to: ['later@example.test'], subject: 'Second message', html: '<p>Hello</p>' });
    const first = await catcher.waitForMail({ to: 'first@example.test', subject: 'First' });
    expect(first).toMatchObject({ from: 'portal@example.test', text: 'Hello first@example.test' });
  });

  it('keeps only the latest messages it was told to keep', async () => {
    await send('third@example.test', 'Third');
    expect(catcher.messages().map((mail) => mail.subject)).toEqual(['Second message', 'Third']);
  });

  it('rejects with what did arrive when the wanted mail does not', async () => {
    await expect(catcher.waitForMail({ to: 'third@example.test', subject: /^Invoice/, timeoutMs: 100 })).rejects.toThrow(
      'No mail to third@example.test with subject /^Invoice/ within 100 ms; caught:\n  later@example.test: "Second message"\n  third@example.test: "Third"',
    );
  });
});
