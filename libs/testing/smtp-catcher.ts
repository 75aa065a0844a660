import { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CaughtMail {
  id: number;
  from: string;
  /** Envelope recipients (RCPT TO), lower-cased: who really got it. */
  to: string[];
  subject: string;
  /** Header lines by lower-case name (the last one wins), values as sent, unfolded. */
  headers: Record<string, string>;
  text: string;
  html: string;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  receivedAt: Date;
}

export interface MailQuery {
  to: string;
  subject?: RegExp | string;
  timeoutMs?: number;
}

/**
 * An SMTP server that accepts every message (no TLS, no auth) and keeps it in
 * memory, for tests and the development mail catcher (scripts/smtp-catcher.ts).
 */
export class SmtpCatcher {
  private readonly caught: CaughtMail[] = [];
  private readonly listeners = new Set<(mail: CaughtMail) => void>();
  private nextId = 1;
  private server: SMTPServer | undefined;

  /** @param keep how many messages to keep; older ones are dropped first */
  constructor(private readonly keep = Infinity) {}

  /** Listens on 127.0.0.1; port 0 takes a free port. Resolves with the bound port. */
  async start(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      // Stopping drops open connections at once, as a mail server going down would
      // (senders keep pooled connections open; the default waits 30 s for them).
      closeTimeout: 100,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase());
            this.add({
              id: this.nextId++,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: recipients,
              subject: parsed.subject ?? '',
              headers: Object.fromEntries(
                parsed.headerLines.map(({ key, line }) => [
                  key,
                  line
                    .slice(line.indexOf(':') + 1)
                    .replace(/\r?\n\s+/g, ' ')
                    .trim(),
                ]),
              ),
              text: parsed.text ?? '',
              html: parsed.html || '',
              attachments: parsed.attachments.map((attachment) => ({
                filename: attachment.filename ?? '',
                contentType: attachment.contentType,
                content: attachment.content,
              })),
              receivedAt: new Date(),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  messages(): readonly CaughtMail[] {
    return this.caught;
  }

  /** Calls `listener` for every message caught from now on; returns the unsubscribe function. */
  onMail(listener: (mail: CaughtMail) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first message (caught already or later) to `to` whose subject matches. */
  waitForMail({ to, subject, timeoutMs = 10_000 }: MailQuery): Promise<CaughtMail> {
    const matches = (mail: CaughtMail) =>
      mail.to.includes(to.toLowerCase()) &&
      (subject === undefined || (typeof subject === 'string' ? mail.subject === subject : subject.test(mail.subject)));
    const found = this.caught.find(matches);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        unsubscribe();
        const arrived = this.caught.map((mail) => `  ${mail.to.join(', ')}: "${mail.subject}"`);
        const wanted = `to ${to}${subject === undefined ? '' : ` with subject ${String(subject)}`}`;
        reject(
          new Error(`No mail ${wanted} within ${timeoutMs} ms; ${arrived.length > 0 ? `caught:\n${arrived.join('\n')}` : 'caught none'}`),
        );
      }, timeoutMs);
      const unsubscribe = this.onMail((mail) => {
        if (!matches(mail)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(mail);
      });
    });
  }

  private add(mail: CaughtMail): void {
    this.caught.push(mail);
    if (this.caught.length > this.keep) this.caught.shift();
    for (const listener of this.listeners) listener(mail);
  }
}
