import { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { computedStyle, fitsViewportWidth, launchBrowser, openPage, VIEWPORTS, waitForValue, waitUntilShown } from '../support/browser';
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
      await waitUntilShown(page.locator('.company-list li', { hasText: companyName }));
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
        await waitUntilShown(login, false);
        await waitForValue(() => toggle.getAttribute('aria-expanded'), 'false');
        await toggle.click();
        await waitForValue(() => toggle.getAttribute('aria-expanded'), 'true');
        await waitUntilShown(login);
        const box = await login.boundingBox();
        expect(box!.height).toBeGreaterThanOrEqual(44);
        expect(await fitsViewportWidth(page)).toBe(true);
        await page.screenshot({ path: `/tmp/ugyfelportal-menu-${size.name}.png` });
        await page.keyboard.press('Escape');
        await waitUntilShown(login, false);
      } else {
        await waitUntilShown(toggle, false);
        await waitUntilShown(login);
        await waitUntilShown(page.locator('#site-menu a[href="/register"]'));
      }
      expect(problems).toEqual([]);
    });

    it('shows the menu without JavaScript too', async () => {
      const noScript = await browser.newContext({ viewport: { width: size.width, height: size.height }, javaScriptEnabled: false });
      try {
        const plain = await noScript.newPage();
        await plain.goto(`${running.url}/`);
        await waitUntilShown(plain.locator('#site-menu a[href="/login"]'));
        await waitUntilShown(plain.locator('button[aria-controls="site-menu"]'), false);
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
