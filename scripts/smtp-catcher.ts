/**
 * Development mail catcher: accepts every message on the port of SMTP_URL (default
 * 1025), logs each as one JSON line and shows the latest 100 on a small web page.
 *   npx ts-node --transpile-only scripts/smtp-catcher.ts
 *   http://127.0.0.1:1080/               list (SMTP_CATCHER_HTTP_PORT changes the port)
 *   http://127.0.0.1:1080/messages/7     text part; /messages/7.html the HTML part
 *   http://127.0.0.1:1080/messages.json  all kept messages, newest first
 */
import { createServer, ServerResponse } from 'node:http';
import dotenv from 'dotenv';
import pino from 'pino';
import { configSchema } from '../config/configuration';
import { CaughtMail, SmtpCatcher } from '../libs/testing/smtp-catcher';

const logger = pino({ name: 'smtp-catcher' });

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, ...headers }).end(body);
}

function listPage(mails: CaughtMail[]): string {
  const rows = mails.map(
    (mail) =>
      `<tr><td>${mail.receivedAt.toISOString()}</td><td>${escapeHtml(mail.to.join(', '))}</td>` +
      `<td><a href="/messages/${mail.id}">${escapeHtml(mail.subject || '(no subject)')}</a></td>` +
      `<td><a href="/messages/${mail.id}.html">HTML</a></td></tr>`,
  );
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="5"><title>Mail catcher</title></head>
<body><h1>Caught mail (latest ${mails.length})</h1><table border="1" cellpadding="4">
<tr><th>Received</th><th>To</th><th>Subject</th><th></th></tr>${rows.join('')}</table></body></html>`;
}

async function main(): Promise<void> {
  dotenv.config({ quiet: true });
  const smtpUrl = new URL(configSchema.shape.SMTP_URL.parse(process.env.SMTP_URL || undefined));
  const smtpPort = Number(smtpUrl.port || 1025);
  const httpPort = Number(process.env.SMTP_CATCHER_HTTP_PORT || 1080);

  const catcher = new SmtpCatcher(100);
  catcher.onMail((mail) =>
    logger.info({ mailId: mail.id, from: mail.from, to: mail.to, subject: mail.subject, text: mail.text }, 'mail caught'),
  );

  const http = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://catcher').pathname;
    const mails = [...catcher.messages()].reverse();
    const one = /^\/messages\/(\d+)(\.html)?$/.exec(path);
    if (path === '/') return send(res, 200, 'text/html', listPage(mails));
    if (path === '/messages.json') return send(res, 200, 'application/json', JSON.stringify(mails));
    const mail = one && mails.find((candidate) => candidate.id === Number(one[1]));
    if (!mail) return send(res, 404, 'text/plain', 'Not found (only the latest 100 messages are kept)\n');
    // The HTML part is shown as sent; the CSP keeps anything in it from loading or running.
    if (one?.[2])
      return send(res, 200, 'text/html', mail.html, { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'" });
    return send(res, 200, 'text/plain', mail.text);
  });

  await catcher.start(smtpPort);
  await new Promise<void>((resolve, reject) => http.once('error', reject).listen(httpPort, '127.0.0.1', resolve));
  logger.info({ smtpPort, web: `http://127.0.0.1:${httpPort}/` }, 'mail catcher listening');

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      http.close();
      void catcher.stop().then(() => process.exit(0));
    });
  }
}

main().catch((error: Error) => {
  logger.fatal({ err: error }, 'mail catcher could not start');
  process.exit(1);
});
