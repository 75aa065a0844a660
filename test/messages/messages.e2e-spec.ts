import request from 'supertest';
import { DataSource } from 'typeorm';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';
import { CustomerNotificationsService } from '../../src/notifications/customer-notifications.service';
import { SessionService } from '../../src/identity/session.service';
import { MESSAGE_ATTACHMENT_MAX_BYTES } from '../../src/notifications/message-attachment';
import { createClerkTestCompany, createTestClerk, TestCompany } from '../support/clerk-factories';
import { loginTestCustomer, startCookieSession, TestCustomerSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { createTestCustomer } from '../support/factories';
import { RunningApp, startTestApp } from '../support/http-app';
import { linkIn } from '../support/mail';

const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n%âãÏÓ\n'), Buffer.alloc(2000, 0x20), Buffer.from('\n%%EOF\n')]);
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a0e1b90b0000000049454e44ae426082',
  'hex',
);

interface Customer {
  id: number;
  code: string;
  session: TestCustomerSession;
}

/**
 * Provider messages against the real PostgreSQL and Redis: a message to a segment
 * reaches exactly that segment of its own company, the inbox and unread count,
 * read marking, ownership (404 for anyone else's id), attachments, Markdown that
 * never lets a script through, and sending for supervisors only.
 */
describe('provider messages (HTTP)', () => {
  let dataSource: DataSource;
  let running: RunningApp;
  let company: TestCompany;
  let other: TestCompany;
  let supervisor: string;
  let clerk: string;
  let supervisorCookie: { cookie: string; csrfToken: string };
  let clerkCookie: { cookie: string; csrfToken: string };
  /** In company 1: gas in Szentes, overdue (c1); heat in Szentes (c2); gas in Szeged, overdue (c3); gas in Szentes, paid up (c4). */
  let c1: Customer;
  let c2: Customer;
  let c3: Customer;
  let c4: Customer;
  /** Company 2: gas in Szentes, overdue, like c1. */
  let outsider: Customer;

  async function customerWith(at: TestCompany, town: string, meterType: string, overdue: boolean): Promise<Customer> {
    const created = await createTestCustomer(dataSource, at.id, `Üzenet ${town} ${meterType}`);
    const [point] = (await dataSource.query(
      `INSERT INTO service_points (company_id, customer_id, postcode, town, address) VALUES ($1, $2, '6600', $3, 'Fő utca 1.') RETURNING id`,
      [at.id, created.id, town],
    )) as Array<{ id: string }>;
    await dataSource.query(`INSERT INTO meters (company_id, service_point_id, serial_number, type, unit) VALUES ($1, $2, $3, $4, 'm3')`, [
      at.id,
      point.id,
      `MSG-${created.code}`,
      meterType,
    ]);
    await dataSource.query(
      `INSERT INTO invoices (company_id, customer_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount)
       VALUES ($1, $2, $3, 'gas', date_trunc('month', current_date - 40)::date, current_date - 40, current_date + $4::int, 10000, 10000)`,
      [at.id, created.id, `MSG-${created.code}`, overdue ? -10 : 10],
    );
    return { id: created.id, code: created.code, session: await loginTestCustomer(running, dataSource, at.id, created.id) };
  }

  async function clerkToken(role: 'clerk' | 'supervisor'): Promise<string> {
    const who = await createTestClerk(dataSource, company, role);
    return running.app.get(SessionService).issueApiToken({ kind: 'clerk', companyId: company.id, clerkId: who.id, name: who.email, role });
  }

  async function clerkCookieSession(role: 'clerk' | 'supervisor') {
    const who = await createTestClerk(dataSource, company, role);
    return startCookieSession(running, { kind: 'clerk', companyId: company.id, clerkId: who.id, name: who.email, role });
  }

  const send = (body: Record<string, unknown>, token = supervisor) =>
    request(running.url).post('/api/v1/backoffice/messages').auth(token, { type: 'bearer' }).send(body);
  const get = (path: string, who: Customer) => request(running.url).get(path).auth(who.session.bearer, { type: 'bearer' });
  const page = (path: string, who: Customer) => request(running.url).get(path).set('Cookie', who.session.cookie).set('Accept', 'text/html');

  async function recipients(messageId: number): Promise<number[]> {
    const rows = (await dataSource.query(`SELECT customer_id FROM message_recipients WHERE message_id = $1 ORDER BY customer_id`, [
      messageId,
    ])) as Array<{ customer_id: string }>;
    return rows.map((row) => Number(row.customer_id));
  }

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    running = await startTestApp({ env: { PUBLIC_URL: 'http://portal.test' } });
    company = await createClerkTestCompany(dataSource);
    other = await createClerkTestCompany(dataSource);
    c1 = await customerWith(company, 'Szentes', 'gas', true);
    c2 = await customerWith(company, 'Szentes', 'heat', false);
    c3 = await customerWith(company, 'Szeged', 'gas', true);
    c4 = await customerWith(company, 'Szentes', 'gas', false);
    outsider = await customerWith(other, 'Szentes', 'gas', true);
    supervisor = await clerkToken('supervisor');
    clerk = await clerkToken('clerk');
    supervisorCookie = await clerkCookieSession('supervisor');
    clerkCookie = await clerkCookieSession('clerk');
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  it('reaches exactly the segment, in its own company only, with one recipient row per customer', async () => {
    const cases: Array<[Record<string, unknown>, Customer[]]> = [
      [{ town: 'szentes', serviceType: 'gas', overdue: true }, [c1]],
      [{ town: 'Szentes' }, [c1, c2, c4]],
      [{ serviceType: 'gas' }, [c1, c3, c4]],
      [{ overdue: true }, [c1, c3]],
      [{ town: 'Szentes', serviceType: 'gas' }, [c1, c4]],
      [{}, [c1, c2, c3, c4]],
    ];
    for (const [segment, expected] of cases) {
      const what = JSON.stringify(segment);
      const query = new URLSearchParams(Object.fromEntries(Object.entries(segment).map(([key, value]) => [key, String(value)]))).toString();
      const size = await request(running.url)
        .get(`/api/v1/backoffice/messages/segment-size?${query}`)
        .auth(clerk, { type: 'bearer' })
        .expect(200);
      expect({ what, size: size.body.recipientCount }).toEqual({ what, size: expected.length });
      const sent = await send({ subject: `Szegmens ${what}`, body: 'Tisztelt Ügyfelünk!', ...segment }).expect(201);
      expect({ what, count: sent.body.recipientCount }).toEqual({ what, count: expected.length });
      expect({ what, ids: await recipients(sent.body.id) }).toEqual({ what, ids: expected.map((c) => c.id).sort((x, y) => x - y) });
    }
    // Company 2's look-alike customer got none of them.
    expect((await get('/api/v1/messages', outsider).expect(200)).body).toMatchObject({ total: 0, unread: 0, items: [] });
  });

  it('refuses a segment that reaches nobody, an unknown customer, or both a customer and filters, and writes nothing', async () => {
    const before = await dataSource.query(`SELECT count(*)::int AS n FROM messages WHERE company_id = $1`, [company.id]);
    expect((await send({ subject: 'Senki', body: 'x', town: 'Budapest' }).expect(422)).body.code).toBe('no_recipients');
    await send({ subject: 'Más cégé', body: 'x', customerId: outsider.id }).expect(404);
    await send({ subject: 'Más cégé', body: 'x', customerCode: outsider.code }).expect(404);
    await send({ subject: 'Kettő', body: 'x', customerId: c1.id, town: 'Szentes' }).expect(400);
    const invalid = await send({ subject: '  ', body: '' }).expect(400);
    expect(invalid.body.errors.map((problem: { field: string; code: string }) => `${problem.field}:${problem.code}`)).toEqual([
      'subject:required',
      'body:required',
    ]);
    const after = await dataSource.query(`SELECT count(*)::int AS n FROM messages WHERE company_id = $1`, [company.id]);
    expect(after[0].n).toBe(before[0].n);
  });

  it('counts unread messages in the API, the home, the menu and the inbox, and marks one read when it is opened', async () => {
    const customer = await customerWith(company, 'Csongrád', 'cold_water', false);
    const first = (await send({ subject: 'Első üzenet', body: 'Egy', customerId: customer.id }).expect(201)).body.id as number;
    const second = (await send({ subject: 'Második üzenet', body: 'Kettő', customerCode: customer.code.toLowerCase() }).expect(201)).body
      .id as number;
    expect((await get('/api/v1/messages/unread-count', customer).expect(200)).body).toEqual({ unread: 2 });
    expect((await get('/api/v1/home', customer).expect(200)).body.unreadMessages).toBe(2);
    const list = (await get('/api/v1/messages?unread=true', customer).expect(200)).body;
    expect(list.items.map((item: { id: number }) => item.id)).toEqual([second, first]);

    // Reading the JSON detail does not mark it; the explicit call does, once.
    expect((await get(`/api/v1/messages/${first}`, customer).expect(200)).body).toMatchObject({ subject: 'Első üzenet', readAt: null });
    const marked = await request(running.url)
      .post(`/api/v1/messages/${first}/read`)
      .auth(customer.session.bearer, { type: 'bearer' })
      .expect(200);
    expect(marked.body).toMatchObject({ id: first, unread: 1 });
    const again = await request(running.url)
      .post(`/api/v1/messages/${first}/read`)
      .auth(customer.session.bearer, { type: 'bearer' })
      .expect(200);
    expect(again.body.readAt).toBe(marked.body.readAt);
    expect((await get('/api/v1/messages?unread=true', customer).expect(200)).body.items.map((item: { id: number }) => item.id)).toEqual([
      second,
    ]);

    // The menu shows the count on every page; opening the message on its page marks it read.
    const home = (await page('/', customer).expect(200)).text;
    expect(home).toMatch(/href="\/messages"[^>]*>Üzenetek <span class="badge">1<span class="visually-hidden"> olvasatlan/);
    const inbox = (await page('/messages', customer).expect(200)).text;
    expect(inbox).toContain('Olvasatlan üzenetek: 1');
    expect(inbox).toContain(`href="/messages/${second}"`);
    const opened = (await page(`/messages/${second}`, customer).expect(200)).text;
    expect(opened).toContain('Második üzenet');
    expect(opened).not.toContain('class="badge"');
    expect((await get('/api/v1/messages/unread-count', customer).expect(200)).body).toEqual({ unread: 0 });

    // The back office sees who read what.
    const sent = (await request(running.url).get('/api/v1/backoffice/messages').auth(clerk, { type: 'bearer' }).expect(200)).body;
    const row = sent.items.find((item: { id: number }) => item.id === second);
    expect(row).toMatchObject({ recipientCount: 1, readCount: 1, customer: { id: customer.id, code: customer.code } });
  });

  it("answers 404 for another customer's or another company's message, on the API and the pages", async () => {
    const own = (await send({ subject: 'Csak c1-nek', body: 'Titok', customerId: c1.id }).expect(201)).body.id as number;
    for (const stranger of [c2, outsider]) {
      await get(`/api/v1/messages/${own}`, stranger).expect(404);
      await get(`/api/v1/messages/${own}/attachment`, stranger).expect(404);
      await request(running.url).post(`/api/v1/messages/${own}/read`).auth(stranger.session.bearer, { type: 'bearer' }).expect(404);
      const html = await page(`/messages/${own}`, stranger).expect(404);
      expect(html.text).not.toContain('Titok');
    }
    const [row] = await dataSource.query(`SELECT read_at FROM message_recipients WHERE message_id = $1`, [own]);
    expect(row.read_at).toBeNull();
    await get(`/api/v1/messages/${own}`, c1).expect(200);
    // A clerk's token is not a customer's.
    await request(running.url).get(`/api/v1/messages/${own}`).auth(clerk, { type: 'bearer' }).expect(403);
  });

  it('lets only the recipient download an attachment, whose type comes from its bytes', async () => {
    const sent = await send({
      subject: 'Tájékoztató',
      body: 'Mellékelve.',
      town: 'Szentes',
      serviceType: 'heat',
      attachment: { fileName: '../Tájékoztató.pdf', contentBase64: PDF.toString('base64') },
    }).expect(201);
    const id = sent.body.id as number;
    expect((await get(`/api/v1/messages/${id}`, c2).expect(200)).body.attachment).toEqual({
      fileName: 'Tájékoztató.pdf',
      contentType: 'application/pdf',
      size: PDF.length,
      url: `/api/v1/messages/${id}/attachment`,
    });
    const file = await get(`/api/v1/messages/${id}/attachment`, c2)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="Tajekoztato.pdf"; filename\*=UTF-8''T%C3%A1j/);
    expect(Buffer.compare(file.body as Buffer, PDF)).toBe(0);
    await page(`/messages/${id}/attachment`, c2).expect(200).expect('Content-Type', 'application/pdf');
    for (const stranger of [c1, c4, outsider]) {
      await get(`/api/v1/messages/${id}/attachment`, stranger).expect(404);
      await page(`/messages/${id}/attachment`, stranger).expect(404);
    }

    // HTML named .pdf, a file over the limit, and broken base64 are refused; nothing is stored.
    const html = Buffer.from('<html><script>alert(1)</script></html>').toString('base64');
    const refused = await send({
      subject: 'Rossz',
      body: 'x',
      customerId: c1.id,
      attachment: { fileName: 'a.pdf', contentBase64: html },
    }).expect(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'attachment', code: 'type' })]);
    const big = Buffer.concat([PDF, Buffer.alloc(MESSAGE_ATTACHMENT_MAX_BYTES)]).toString('base64');
    await send({ subject: 'Nagy', body: 'x', customerId: c1.id, attachment: { fileName: 'a.pdf', contentBase64: big } }).expect(400);
    await send({ subject: 'Törött', body: 'x', customerId: c1.id, attachment: { fileName: 'a.pdf', contentBase64: 'JVBER!!' } }).expect(
      400,
    );
    const [count] = await dataSource.query(
      `SELECT count(*)::int AS n FROM messages WHERE company_id = $1 AND subject IN ('Rossz', 'Nagy', 'Törött')`,
      [company.id],
    );
    expect(count.n).toBe(0);
  });

  it('renders Markdown and plain text without ever letting a script or a javascript: link through', async () => {
    const body = [
      '**Fontos** <script>alert("md")</script>',
      '',
      '[kattints](javascript:alert(1)) <img src=x onerror=alert(2)> [jó link](https://example.hu/)',
      '',
      '<a href="javascript:alert(3)">nyers</a>',
    ].join('\n');
    for (const bodyFormat of ['markdown', 'plain']) {
      const id = (await send({ subject: `<script>alert("${bodyFormat}")</script>`, body, bodyFormat, customerId: c4.id }).expect(201)).body
        .id as number;
      const detail = (await get(`/api/v1/messages/${id}`, c4).expect(200)).body;
      expect(detail.body).toBe(body);
      const html = (await page(`/messages/${id}`, c4).expect(200)).text;
      for (const output of [detail.bodyHtml as string, html]) {
        expect(output).not.toMatch(/<script>alert/i);
        expect(output).not.toMatch(/<img/i);
        expect(output).not.toMatch(/href="javascript:/i);
      }
      expect(html).toContain('&lt;script&gt;alert');
      if (bodyFormat === 'markdown') {
        expect(detail.bodyHtml).toContain('<strong>Fontos</strong>');
        expect(html).toContain('<a href="https://example.hu/" rel="noopener noreferrer nofollow">jó link</a>');
      }
    }
  });

  it('lets supervisors send (API and form), clerks only read the list', async () => {
    const refused = await send({ subject: 'Ügyintézőtől', body: 'x', customerId: c1.id }, clerk).expect(403);
    expect(JSON.stringify(refused.body)).toContain('supervisor');
    const form = (session: { cookie: string; csrfToken: string }, fields: Record<string, string>) =>
      request(running.url)
        .post('/backoffice/messages')
        .set('Cookie', session.cookie)
        .set('Accept', 'text/html')
        .type('form')
        .send({ _csrf: session.csrfToken, ...fields });
    await form(clerkCookie, { audience: 'customer', customerCode: c1.code, subject: 'Ügyintézőtől', body: 'x' }).expect(403);
    await request(running.url).get('/backoffice/messages/new').set('Cookie', clerkCookie.cookie).set('Accept', 'text/html').expect(403);
    const list = await request(running.url)
      .get('/backoffice/messages')
      .set('Cookie', clerkCookie.cookie)
      .set('Accept', 'text/html')
      .expect(200);
    expect(list.text).not.toContain('href="/backoffice/messages/new"');
    const [none] = await dataSource.query(`SELECT count(*)::int AS n FROM messages WHERE subject = 'Ügyintézőtől'`);
    expect(none.n).toBe(0);

    // The supervisor's form, with an image read into the hidden fields as the page's script does.
    await request(running.url)
      .get('/backoffice/messages/new')
      .set('Cookie', supervisorCookie.cookie)
      .set('Accept', 'text/html')
      .expect(200);
    const bad = await form(supervisorCookie, { audience: 'segment', town: 'Budapest', subject: 'Senkinek', body: 'x' }).expect(422);
    expect(bad.text).toContain('A megadott feltételeknek egy ügyfél sem felel meg.');
    expect(bad.text).toContain('value="Senkinek"');
    const posted = await form(supervisorCookie, {
      audience: 'segment',
      town: 'Szeged',
      serviceType: 'gas',
      overdue: 'on',
      subject: 'Hátralék Szegeden',
      body: '*Kérjük*, fizessen.',
      bodyFormat: 'markdown',
      attachmentName: 'térkép.png',
      attachmentData: PNG.toString('base64'),
    }).expect(303);
    expect(posted.headers.location).toMatch(/^\/backoffice\/messages\?sent=\d+$/);
    const id = Number(posted.headers.location.split('=')[1]);
    expect(await recipients(id)).toEqual([c3.id]);
    const detail = (await get(`/api/v1/messages/${id}`, c3).expect(200)).body;
    expect(detail).toMatchObject({ bodyFormat: 'markdown', attachment: { fileName: 'térkép.png', contentType: 'image/png' } });
    const sentPage = await request(running.url)
      .get('/backoffice/messages')
      .set('Cookie', supervisorCookie.cookie)
      .set('Accept', 'text/html')
      .expect(200);
    expect(sentPage.text).toContain('Hátralék Szegeden');
    expect(sentPage.text).toContain('Szeged · Gázóra · lejárt tartozás');
  });

  it('e-mails a copy, through the outbox, to recipients with a verified login who did not turn provider_message off', async () => {
    for (const [who, email] of [
      [c1, 'c1'],
      [c2, 'c2'],
      [c4, 'c4'],
    ] as const) {
      await dataSource.query(
        `INSERT INTO customer_accounts (company_id, customer_id, login_email, email_verified_at) VALUES ($1, $2, $3, now())
         ON CONFLICT DO NOTHING`,
        [company.id, who.id, `${email}-${who.id}@example.test`],
      );
    }
    await dataSource.query(`UPDATE customer_accounts SET email_verified_at = NULL WHERE company_id = $1 AND customer_id = $2`, [
      company.id,
      c2.id,
    ]);
    await request(running.url)
      .put('/api/v1/notifications/preferences')
      .auth(c4.session.bearer, { type: 'bearer' })
      .send({ provider_message: false })
      .expect(200);
    const sent = await send({ subject: 'E-mailben is', body: 'Szöveg', town: 'Szentes', byEmail: true }).expect(201);
    expect(sent.body).toMatchObject({ recipientCount: 3, emailsQueued: 1 });
    const mails = (await dataSource.query(
      `SELECT e.customer_id, e.topic, e.template, e.params, (SELECT count(*)::int FROM outbox o
                 WHERE e.id BETWEEN (o.payload->>'firstEmailId')::bigint AND (o.payload->>'lastEmailId')::bigint) AS outbox
         FROM email_log e WHERE e.company_id = $1 AND e.params->>'title' = 'E-mailben is'`,
      [company.id],
    )) as Array<{ customer_id: string; topic: string; template: string; params: { link: { url: string } }; outbox: number }>;
    expect(mails).toEqual([
      expect.objectContaining({ customer_id: String(c1.id), topic: 'provider_message', template: 'notification', outbox: 1 }),
    ]);
    expect(mails[0].params.link.url).toBe(`http://portal.test/messages/${sent.body.id}`);
  });
});

describe('provider messages by e-mail (real PostgreSQL, Redis, workers and SMTP catcher)', () => {
  const catcher = new SmtpCatcher();
  let running: RunningApp;
  let dataSource: DataSource;

  beforeAll(async () => {
    const smtpPort = await catcher.start();
    running = await startTestApp({ withWorker: true, env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, PUBLIC_URL: 'http://portal.test' } });
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
    await catcher.stop();
  });

  it('sends the copy with the subject, a link to the message and a one-click unsubscribe for provider_message; account deletion forgets the reads', async () => {
    const company = await createClerkTestCompany(dataSource);
    const customer = await createTestCustomer(dataSource, company.id, 'Levelező Ügyfél');
    const address = `levelezo-${company.id}@example.test`;
    await dataSource.query(
      `INSERT INTO customer_accounts (company_id, customer_id, login_email, email_verified_at) VALUES ($1, $2, $3, now())`,
      [company.id, customer.id, address],
    );
    const supervisor = await createTestClerk(dataSource, company, 'supervisor');
    const token = await running.app
      .get(SessionService)
      .issueApiToken({ kind: 'clerk', companyId: company.id, clerkId: supervisor.id, name: 'Cs', role: 'supervisor' });
    const sent = await request(running.url)
      .post('/api/v1/backoffice/messages')
      .auth(token, { type: 'bearer' })
      .send({ subject: 'Karbantartás a hőközpontban', body: 'Részletek a portálon.', customerCode: customer.code, byEmail: true })
      .expect(201);
    expect(sent.body).toMatchObject({ recipientCount: 1, emailsQueued: 1 });

    const mail = await catcher.waitForMail({ to: address, subject: /^Karbantartás a hőközpontban/ });
    expect(mail.text).toContain('A szolgáltató új üzenetet küldött Önnek');
    expect(mail.text).not.toContain('Részletek a portálon.');
    expect(linkIn(mail, 'http://portal.test/messages/')).toBe(`http://portal.test/messages/${sent.body.id}`);
    const unsubscribe = linkIn(mail, 'http://portal.test/notifications/unsubscribe/');
    const unsubscribeToken = unsubscribe.split('/').pop() as string;
    expect(unsubscribeToken.split('.')[2]).toBe('provider_message');
    expect(mail.headers['list-unsubscribe']).toBe(`<http://portal.test/api/v1/notifications/unsubscribe/${unsubscribeToken}>`);
    const oneClick = await request(running.url)
      .post(`/api/v1/notifications/unsubscribe/${unsubscribeToken}`)
      .type('form')
      .send('List-Unsubscribe=One-Click')
      .expect(200);
    expect(oneClick.body).toEqual({ topic: 'provider_message', email: false });
    const again = await request(running.url)
      .post('/api/v1/backoffice/messages')
      .auth(token, { type: 'bearer' })
      .send({ subject: 'Második', body: 'x', customerId: customer.id, byEmail: true })
      .expect(201);
    expect(again.body).toMatchObject({ recipientCount: 1, emailsQueued: 0 });

    // Deleting the portal account forgets what was read; the messages stay addressed to the customer.
    const session = await loginTestCustomer(running, dataSource, company.id, customer.id);
    await request(running.url).post(`/api/v1/messages/${sent.body.id}/read`).auth(session.bearer, { type: 'bearer' }).expect(200);
    expect((await request(running.url).get('/api/v1/messages/unread-count').auth(session.bearer, { type: 'bearer' })).body).toEqual({
      unread: 1,
    });
    await dataSource.transaction((manager) =>
      running.app.get(CustomerNotificationsService).forgetAccount(manager, { companyId: company.id, customerId: customer.id }),
    );
    expect((await request(running.url).get('/api/v1/messages/unread-count').auth(session.bearer, { type: 'bearer' })).body).toEqual({
      unread: 2,
    });
  });
});
