import { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { fitsViewportWidth, launchBrowser, openPage, VIEWPORTS, waitForValue } from '../support/browser';
import { createClerkTestCompany, createTestClerk } from '../support/clerk-factories';
import { loginTestCustomer, startCookieSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { createTestCustomer } from '../support/factories';
import { RunningApp, startTestApp } from '../support/http-app';
import { SESSION_COOKIE } from '../../src/identity/session.service';
import { MessageService } from '../../src/notifications/message.service';

const PDF = Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n%%EOF\n');

describe('provider messages in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    [running, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await dataSource?.destroy();
  });

  it('shows the inbox on a phone (375×812) with the unread count in the menu, and opening a message reads it', async () => {
    const company = await createClerkTestCompany(dataSource);
    const supervisor = await createTestClerk(dataSource, company, 'supervisor');
    const customer = await createTestCustomer(dataSource, company.id, 'Telefonos Ügyfél');
    const messages = running.app.get(MessageService);
    const sender = { companyId: company.id, clerkId: supervisor.id, role: 'supervisor' };
    for (const subject of ['Leolvasás jövő héten', 'Vízszolgáltatás szünetel december 3-án reggel 8 és délután 4 óra között a Fő utcán']) {
      const sent = await messages.send(sender, {
        subject,
        body: '**Tisztelt Ügyfelünk!**\n\nA munkálatok idején:\n\n- tartson vizet\n- zárja el a mosógépet\n\n[Részletek](https://example.hu/)',
        bodyFormat: 'markdown',
        audience: { customerId: customer.id },
        byEmail: false,
        attachment: { fileName: 'Térkép.pdf', contentBase64: PDF.toString('base64') },
      });
      expect(sent.kind).toBe('sent');
    }
    const session = await loginTestCustomer(running, dataSource, company.id, customer.id);
    const { context, page, problems } = await openPage(browser, VIEWPORTS[0]);
    await context.addCookies([{ name: SESSION_COOKIE, value: session.sessionId, url: running.url }]);

    await page.goto(`${running.url}/`);
    await page.click('[data-menu-toggle]');
    const menuLink = page.locator('#site-menu a[href="/messages"]');
    await expect(menuLink.textContent()).resolves.toBe('Üzenetek 2 olvasatlan');
    await Promise.all([page.waitForURL(`${running.url}/messages`), menuLink.click()]);
    await expect(page.locator('h1').textContent()).resolves.toBe('Üzenetek');
    expect(await page.locator('.message-list__item--unread').count()).toBe(2);
    expect(await fitsViewportWidth(page)).toBe(true);
    await page.screenshot({ path: '/tmp/ugyfelportal-messages-phone.png', fullPage: true });

    await Promise.all([page.waitForURL(/\/messages\/\d+$/), page.locator('.message-list__link').first().click()]);
    await expect(page.locator('h1').textContent()).resolves.toContain('Vízszolgáltatás szünetel');
    await expect(page.locator('.message-body strong').textContent()).resolves.toBe('Tisztelt Ügyfelünk!');
    expect(await page.locator('.message-body li').count()).toBe(2);
    await expect(page.locator('.message-attachment a').textContent()).resolves.toBe('Térkép.pdf');
    expect(await fitsViewportWidth(page)).toBe(true);
    await page.screenshot({ path: '/tmp/ugyfelportal-message-phone.png', fullPage: true });

    await page.goto(`${running.url}/messages`);
    expect(await page.locator('.message-list__item--unread').count()).toBe(1);
    await page.click('[data-menu-toggle]');
    await expect(menuLink.textContent()).resolves.toBe('Üzenetek 1 olvasatlan');
    expect(problems).toEqual([]);
    await context.close();
  });

  it('lets a supervisor attach a file on the desktop form: the page reads it into the form', async () => {
    const company = await createClerkTestCompany(dataSource);
    const customer = await createTestCustomer(dataSource, company.id, 'Asztali Ügyfél');
    const supervisor = await createTestClerk(dataSource, company, 'supervisor');
    const session = await startCookieSession(running, {
      kind: 'clerk',
      companyId: company.id,
      clerkId: supervisor.id,
      name: 'Teszt Csoportvezető',
      role: 'supervisor',
    });
    const { context, page, problems } = await openPage(browser, VIEWPORTS[1]);
    await context.addCookies([{ name: SESSION_COOKIE, value: session.sessionId, url: running.url }]);

    await page.goto(`${running.url}/backoffice/messages/new?customer=${customer.code}`);
    expect(await page.isChecked('input[name=audience][value=customer]')).toBe(true);
    await page.fill('#subject', 'Melléklettel');
    await page.fill('#body', 'Csatoltuk a tájékoztatót.');
    await page.setInputFiles('#attachmentFile', { name: 'Tájékoztató.pdf', mimeType: 'application/pdf', buffer: PDF });
    await waitForValue(() => page.inputValue('[data-attachment-name]'), 'Tájékoztató.pdf');
    await page.screenshot({ path: '/tmp/ugyfelportal-message-form-desktop.png', fullPage: true });
    await Promise.all([page.waitForURL(/\/backoffice\/messages\?sent=\d+$/), page.click('form.message-form button[type=submit]')]);
    await expect(page.locator('.flash').textContent()).resolves.toContain('elküldtük');
    await expect(page.locator('.sent-messages tbody tr').first().textContent()).resolves.toContain(customer.code);
    await page.screenshot({ path: '/tmp/ugyfelportal-messages-sent-desktop.png', fullPage: true });

    const [row] = (await dataSource.query(
      `SELECT a.file_name, a.content_type, a.content FROM message_attachments a JOIN messages m ON m.id = a.message_id
        WHERE m.company_id = $1 AND m.subject = 'Melléklettel'`,
      [company.id],
    )) as Array<{ file_name: string; content_type: string; content: Buffer }>;
    expect(row).toMatchObject({ file_name: 'Tájékoztató.pdf', content_type: 'application/pdf' });
    expect(Buffer.compare(row.content, PDF)).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });
});
