import { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { fitsViewportWidth, launchBrowser, logInClerk, openPage, VIEWPORTS, waitUntilShown } from '../support/browser';
import { createClerkTestCompany, createTestClerk, TestClerk } from '../support/clerk-factories';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { generateTotpSecret } from '../../src/identity/totp';

describe('back office in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  let dataSource: DataSource;
  const clerks: Record<string, TestClerk> = {};
  const admins: Record<string, { admin: TestClerk; secret: string; target: TestClerk }> = {};

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    const company = await createClerkTestCompany(dataSource);
    for (const size of VIEWPORTS) {
      clerks[size.name] = await createTestClerk(dataSource, company, 'supervisor', { name: `Böngésző Csoportvezető ${size.name}` });
      const secret = generateTotpSecret();
      admins[size.name] = {
        admin: await createTestClerk(dataSource, company, 'admin', { totpSecret: secret, name: `Böngésző Rendszergazda ${size.name}` }),
        secret,
        target: await createTestClerk(dataSource, company, 'clerk', { name: `Letiltandó Ügyintéző ${size.name}` }),
      };
    }
    [running, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await dataSource?.destroy();
  });

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

    it('a clerk logs in on /backoffice/login and sees the back-office home with their name', async () => {
      const clerk = clerks[size.name];
      await page.goto(`${running.url}/backoffice/login`);
      expect(await fitsViewportWidth(page)).toBe(true);
      await logInClerk(page, running.url, clerk);
      await expect(page.locator('h1').textContent()).resolves.toBe('Háttériroda');
      await expect(page.locator('.backoffice-bar__who').textContent()).resolves.toContain(`Böngésző Csoportvezető ${size.name}`);
      await waitUntilShown(page.locator('a[href="/backoffice/security-events"]'));
      expect(await fitsViewportWidth(page)).toBe(true);
      await Promise.all([
        page.waitForURL(`${running.url}/backoffice/security-events`),
        page.click('a[href="/backoffice/security-events"]'),
      ]);
      await waitUntilShown(page.locator('td', { hasText: 'Sikeres bejelentkezés' }).first());
      expect(await fitsViewportWidth(page)).toBe(true);
      await page.screenshot({ path: `/tmp/ugyfelportal-backoffice-${size.name}.png`, fullPage: true });
      await Promise.all([page.waitForURL(`${running.url}/backoffice/login`), page.click('.backoffice-bar__logout button')]);
      expect(problems).toEqual([]);
    });

    it('an admin deactivates a clerk from its row on /backoffice/clerks, after a confirmation', async () => {
      const { admin, secret, target } = admins[size.name];
      await logInClerk(page, running.url, admin, secret);
      await Promise.all([page.waitForURL(`${running.url}/backoffice/clerks`), page.click('a[href="/backoffice/clerks"]')]);
      expect(await fitsViewportWidth(page)).toBe(true);

      const row = page.locator(`tr[data-clerk-id="${target.id}"]`);
      await waitUntilShown(row.locator('[data-clerk-action="deactivate"] button'));
      await expect(page.locator(`tr[data-clerk-id="${admin.id}"] form`).count()).resolves.toBe(0);
      await page.screenshot({ path: `/tmp/ugyfelportal-backoffice-clerks-${size.name}.png`, fullPage: true });
      await Promise.all([
        page.waitForSelector('input[name="confirm"]', { state: 'attached' }),
        row.locator('[data-clerk-action="deactivate"] button').click(),
      ]);
      await expect(page.locator('h1').textContent()).resolves.toBe('Ügyintéző letiltása');
      await expect(page.locator('.backoffice-notice').textContent()).resolves.toContain(`Letiltandó Ügyintéző ${size.name}`);
      expect(await fitsViewportWidth(page)).toBe(true);
      await page.screenshot({ path: `/tmp/ugyfelportal-backoffice-clerk-confirm-${size.name}.png`, fullPage: true });
      await Promise.all([page.waitForURL(/\/backoffice\/clerks\?done=deactivate/), page.click('main form.form button[type=submit]')]);
      await expect(page.locator('.flash--success').textContent()).resolves.toContain(`Letiltandó Ügyintéző ${size.name} fiókja letiltva`);
      await waitUntilShown(row.locator('[data-clerk-action="reactivate"] button'));
      expect(await fitsViewportWidth(page)).toBe(true);
      expect(problems).toEqual([]);
    });
  });
});
