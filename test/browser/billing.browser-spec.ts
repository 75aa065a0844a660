import { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { DEMO_CUSTOMER_PASSWORD } from '../../src/demo/demo-data';
import { formatMoney } from '../../src/web/format';
import { fitsViewportWidth, launchBrowser, logInCustomer, openPage, VIEWPORTS } from '../support/browser';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { loadMintaCopy, MintaCopy } from '../billing/fixtures';

/**
 * The money pages in Chromium, at phone and desktop size: the demo customer SU0044
 * logs in on the login page, lands on the home, opens the invoices (cards on a
 * phone, a table on a desktop), fetches a PDF and looks at the debts.
 */
describe('invoices, PDF and debts in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  let dataSource: DataSource;
  let minta: MintaCopy;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    minta = await loadMintaCopy(dataSource, { withAccount: true });
    [running, browser] = await Promise.all([startTestApp(), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await dataSource?.destroy();
  });

  /** Follows a main-menu link, opening the menu first on a phone (it is folded behind a toggle there). */
  async function viaMenu(page: Page, href: string): Promise<void> {
    const toggle = page.locator('button[aria-controls="site-menu"]');
    if (await toggle.isVisible()) await toggle.click();
    await Promise.all([page.waitForURL(`${running.url}${href}`), page.click(`#site-menu a[href="${href}"]`)]);
  }

  it.each(VIEWPORTS)(
    'logs in, sees the home, the invoices, a PDF and the debts at $width×$height ($name)',
    async (size) => {
      const { context, page, problems } = await openPage(browser, size);
      try {
        await logInCustomer(page, running.url, {
          company: { id: minta.companyId },
          identifier: 'SU0044',
          password: DEMO_CUSTOMER_PASSWORD,
        });

        // Home: the open balance, the newest invoice, a link to report a reading.
        await expect(page.locator('h1').textContent()).resolves.toBe('Kezdőlap');
        await expect(page.locator('.home-balance').textContent()).resolves.toContain(formatMoney(38837 + 550 + 305 + 4 * 570));
        await expect(page.locator('.home-cards').textContent()).resolves.toContain('2014S000572');
        expect(await fitsViewportWidth(page)).toBe(true);
        await page.screenshot({ path: `/tmp/ugyfelportal-home-${size.name}.png`, fullPage: true });

        // Invoices: the seed's four rows; on a phone each is a card (block rows, no header row shown).
        await viaMenu(page, '/invoices');
        const rows = page.locator('table.invoice-table tbody tr');
        await expect(rows.count()).resolves.toBe(4);
        await expect(rows.first().textContent()).resolves.toContain(formatMoney(38837));
        await expect(rows.first().textContent()).resolves.toContain('2014.11.30');
        const display = String(await page.evaluate(`getComputedStyle(document.querySelector('table.invoice-table tbody tr')).display`));
        expect(display).toBe(size.name === 'phone' ? 'block' : 'table-row');
        expect(await fitsViewportWidth(page)).toBe(true);
        await page.screenshot({ path: `/tmp/ugyfelportal-invoices-${size.name}.png`, fullPage: true });

        // The PDF behind "Megnyitás": fetched with the page's session, its headers checked.
        const href = await rows.first().locator('a', { hasText: 'Megnyitás' }).getAttribute('href');
        expect(href).toBe(`/invoices/${minta.invoiceIds['2014S000572']}/pdf`);
        const pdf = await context.request.get(`${running.url}${href}`);
        expect(pdf.status()).toBe(200);
        expect(pdf.headers()['content-type']).toBe('application/pdf');
        expect(pdf.headers()['content-disposition']).toContain(`filename*=UTF-8''Sz%C3%A1mla_2014S000572.pdf`);
        expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');

        // Debts: the total, the explained interest, every open item preselected.
        await viaMenu(page, '/debts');
        await expect(page.locator('h1').textContent()).resolves.toBe('Tartozás');
        await expect(page.locator('input[name="items"]:checked').count()).resolves.toBe(7);
        await page.locator('details.interest-explained summary').first().click();
        await expect(page.locator('details.interest-explained[open] li').count()).resolves.toBeGreaterThan(0);
        expect(await fitsViewportWidth(page)).toBe(true);
        await page.screenshot({ path: `/tmp/ugyfelportal-debts-${size.name}.png`, fullPage: true });
        expect(problems).toEqual([]);
      } finally {
        await context.close();
      }
    },
    90_000,
  );
});
