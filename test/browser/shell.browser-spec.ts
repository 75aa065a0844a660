import { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { computedStyle, fitsViewportWidth, launchBrowser, openPage, VIEWPORTS } from '../support/browser';
import { createTestCompany, openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';

describe('web shell in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  let dataSource: DataSource;
  // A long name must wrap on a phone, not widen the page.
  const companyName = 'Minta Városi Távhőszolgáltató és Vízművek Zártkörűen Működő Részvénytársaság';

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    await createTestCompany(dataSource, companyName);
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

    it('renders the home page without sideways scrolling, errors or CSP violations', async () => {
      const response = await page.goto(`${running.url}/`, { waitUntil: 'load' });
      expect(response?.status()).toBe(200);
      await expect(page.locator('h1').textContent()).resolves.toBe('Ügyfélportál');
      expect(await page.getAttribute('html', 'lang')).toBe('hu');
      await expect(page.locator('.company-list li', { hasText: companyName }).isVisible()).resolves.toBe(true);
      expect(await fitsViewportWidth(page)).toBe(true);
      // The stylesheet applied (a CSP block would leave the default white background).
      expect(await computedStyle(page, 'body', 'backgroundColor')).toBe('rgb(243, 246, 248)');
      await page.screenshot({ path: `/tmp/ugyfelportal-home-${size.name}.png`, fullPage: true });
      expect(problems).toEqual([]);
    });

    it('keeps the menu reachable', async () => {
      await page.goto(`${running.url}/`);
      const toggle = page.locator('button[aria-controls="site-menu"]');
      const login = page.locator('#site-menu a[href="/login"]');
      if (size.name === 'phone') {
        await expect(login.isVisible()).resolves.toBe(false);
        await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('false');
        await toggle.click();
        await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
        await expect(login.isVisible()).resolves.toBe(true);
        const box = await login.boundingBox();
        expect(box!.height).toBeGreaterThanOrEqual(44);
        expect(await fitsViewportWidth(page)).toBe(true);
        await page.screenshot({ path: `/tmp/ugyfelportal-menu-${size.name}.png` });
        await page.keyboard.press('Escape');
        await expect(login.isVisible()).resolves.toBe(false);
      } else {
        await expect(toggle.isVisible()).resolves.toBe(false);
        await expect(login.isVisible()).resolves.toBe(true);
        await expect(page.locator('#site-menu a[href="/register"]').isVisible()).resolves.toBe(true);
      }
      expect(problems).toEqual([]);
    });

    it('shows the menu without JavaScript too', async () => {
      const noScript = await browser.newContext({ viewport: { width: size.width, height: size.height }, javaScriptEnabled: false });
      try {
        const plain = await noScript.newPage();
        await plain.goto(`${running.url}/`);
        await expect(plain.locator('#site-menu a[href="/login"]').isVisible()).resolves.toBe(true);
        await expect(plain.locator('button[aria-controls="site-menu"]').isVisible()).resolves.toBe(false);
      } finally {
        await noScript.close();
      }
    });

    it('switches language from the footer', async () => {
      await page.goto(`${running.url}/contact`);
      await page.locator('footer a[hreflang="en"]').click();
      await page.waitForURL(/lang=en/);
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      await page.goto(`${running.url}/terms`);
      expect(await page.locator('h1').textContent()).toBe('General Terms and Conditions');
      expect(await fitsViewportWidth(page)).toBe(true);
      expect(problems).toEqual([]);
    });

    it('shows the 404 page in the layout', async () => {
      const response = await page.goto(`${running.url}/no-such-page`);
      expect(response?.status()).toBe(404);
      expect(await page.locator('h1').textContent()).toBe('Az oldal nem található');
      expect(await fitsViewportWidth(page)).toBe(true);
      // The 404 status itself is reported on the console; nothing else may be.
      expect(problems.filter((problem) => !problem.includes('404'))).toEqual([]);
    });

    it('reports readiness', async () => {
      const response = await page.goto(`${running.url}/health/ready`);
      expect(response?.status()).toBe(200);
      expect(JSON.parse(await response!.text())).toMatchObject({ status: 'ok' });
    });
  });
});
