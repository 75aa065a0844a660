import { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { fitsViewportWidth, launchBrowser, openPage, VIEWPORTS } from '../../libs/testing/browser';
import { createClerkTestCompany, createTestClerk, TestClerk } from '../../libs/testing/clerk-factories';
import { openTestDataSource } from '../../libs/testing/database';
import { RunningApp, startTestApp } from '../../libs/testing/http-app';

describe('back office in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  let dataSource: DataSource;
  const clerks: Record<string, TestClerk> = {};

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    const company = await createClerkTestCompany(dataSource);
    for (const size of VIEWPORTS)
      clerks[size.name] = await createTestClerk(dataSource, company, 'supervisor', { name: `Böngésző Csoportvezető ${size.name}` });
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
      await page.selectOption('#company', clerk.companyCode);
      await page.fill('#email', clerk.email);
      await page.fill('#password', clerk.password);
      await Promise.all([page.waitForURL(`${running.url}/backoffice`), page.click('form.form button[type=submit]')]);
      await expect(page.locator('h1').textContent()).resolves.toBe('Háttériroda');
      await expect(page.locator('.backoffice-bar__who').textContent()).resolves.toContain(`Böngésző Csoportvezető ${size.name}`);
      await expect(page.locator('a[href="/backoffice/security-events"]').isVisible()).resolves.toBe(true);
      expect(await fitsViewportWidth(page)).toBe(true);
      await page.click('a[href="/backoffice/security-events"]');
      await expect(page.locator('td', { hasText: 'Sikeres bejelentkezés' }).first().isVisible()).resolves.toBe(true);
      expect(await fitsViewportWidth(page)).toBe(true);
      await page.screenshot({ path: `/tmp/ugyfelportal-backoffice-${size.name}.png`, fullPage: true });
      await Promise.all([page.waitForURL(`${running.url}/backoffice/login`), page.click('.backoffice-bar__logout button')]);
      expect(problems).toEqual([]);
    });
  });
});
