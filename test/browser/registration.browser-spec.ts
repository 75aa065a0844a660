import { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { fitsViewportWidth, launchBrowser, logInCustomer, openPage, VIEWPORTS } from '../support/browser';
import { createTestCompany, openTestDataSource } from '../support/database';
import { createTestCustomer, createTestInvoice } from '../support/factories';
import { RunningApp, startTestApp } from '../support/http-app';
import { linkIn } from '../support/mail';
import { SmtpCatcher } from '../../libs/testing/smtp-catcher';

const COMPANY_NAME = 'Regisztráció Böngésző Zrt';
const PASSWORD = 'Fenyofa-Csillag-2026';

/**
 * A customer's whole first visit in Chromium: registers on /register with an invoice,
 * follows the e-mailed link (caught by an SmtpCatcher), sets a password, logs in on
 * /login, sees their name in the customer bar and logs out with it.
 */
describe('customer registration in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  let dataSource: DataSource;
  let mail: SmtpCatcher;
  let companyId: number;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    mail = new SmtpCatcher();
    const port = await mail.start();
    companyId = await createTestCompany(dataSource, COMPANY_NAME);
    [running, browser] = await Promise.all([
      startTestApp({ withWorker: true, env: { SMTP_URL: `smtp://127.0.0.1:${port}` } }),
      launchBrowser(),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await mail?.stop();
    await dataSource?.destroy();
  });

  /** The e-mailed link points at PUBLIC_URL, which is not known before the app has a port: keep its path, use the app's origin. */
  function onTestApp(link: string): string {
    const url = new URL(link);
    return `${running.url}${url.pathname}${url.search}`;
  }

  describe.each(VIEWPORTS)('at $width×$height ($name)', (size) => {
    let context: BrowserContext;
    let page: Page;
    let problems: string[];

    beforeEach(async () => {
      ({ context, page, problems } = await openPage(browser, size));
    });

    afterEach(async () => {
      await context.close();
    });

    it('registers with an invoice, verifies by e-mail, sets a password, logs in and out', async () => {
      const customer = await createTestCustomer(dataSource, companyId, `Böngésző Regisztráló ${size.name}`);
      const invoice = await createTestInvoice(dataSource, companyId, customer.id, { grossTotal: 8481 });
      const email = `regisztralo-${size.name}-${process.pid}@example.hu`;

      await page.goto(`${running.url}/register`);
      await expect(page.locator('h1').textContent()).resolves.toBe('Új ügyfél regisztrálása');
      if (size.name === 'phone') expect(await fitsViewportWidth(page)).toBe(true);
      await page.selectOption('#companyId', { label: COMPANY_NAME });
      await page.fill('#customerCode', customer.code);
      await page.fill('#invoiceNumber', invoice.number);
      await page.fill('#amount', '8 481');
      await page.fill('#email', email);
      if (size.name === 'phone') {
        expect(await fitsViewportWidth(page)).toBe(true);
        await page.screenshot({ path: '/tmp/registration-phone.png', fullPage: true });
      }
      await Promise.all([page.waitForURL(`${running.url}/register`), page.click('form[action="/register"] button[type=submit]')]);
      await expect(page.locator('.flash').textContent()).resolves.toContain(
        'Ha a megadott adatok egyeztek nyilvántartásunkkal, e-mailt küldtünk a megadott címre.',
      );

      const link = onTestApp(linkIn(await mail.waitForMail({ to: email, timeoutMs: 20_000 })));
      expect(link).toContain('/register/verify?token=');
      await page.goto(link);
      await expect(page.locator('h1').textContent()).resolves.toBe('Jelszó beállítása');
      await page.fill('#password', PASSWORD);
      await page.fill('#passwordConfirm', PASSWORD);
      await Promise.all([
        page.waitForURL(`${running.url}/register/verify`),
        page.click('form[action="/register/verify"] button[type=submit]'),
      ]);
      await expect(page.locator('.flash').textContent()).resolves.toContain('A regisztráció kész.');

      await logInCustomer(page, running.url, { company: { name: COMPANY_NAME }, identifier: customer.code, password: PASSWORD });
      await expect(page.locator('.customer-bar__who').textContent()).resolves.toBe(
        `Bejelentkezett ügyfél: ${customer.name} (${customer.code})`,
      );
      expect(await fitsViewportWidth(page)).toBe(true);
      await page.screenshot({ path: `/tmp/ugyfelportal-registered-home-${size.name}.png`, fullPage: true });

      await Promise.all([
        page.waitForURL(`${running.url}/login?loggedOut=1`),
        page.locator('.customer-bar__logout button', { hasText: 'Kijelentkezés' }).click(),
      ]);
      await expect(page.locator('.customer-bar__who').count()).resolves.toBe(0);
      await expect(page.locator('body').textContent()).resolves.not.toContain('Bejelentkezett ügyfél');
      expect(problems).toEqual([]);
    });
  });
});
