import { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { fitsViewportWidth, launchBrowser, openPage, useSession, VIEWPORTS } from '../support/browser';
import { loginTestCustomer } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { createDebts, PaymentWorld, startPaymentWorld } from '../payments/fixtures';

/**
 * The demo's card payment in Chromium on a phone: a customer with the seed's open
 * debt (a 38 837 Ft invoice, interest and a reminder fee) selects it on Tartozás, confirms on /payments/new,
 * pays on the local SimplePay sandbox's card page, comes back and sees 0 Ft open.
 */
describe('card payment in Chromium on a phone', () => {
  let dataSource: DataSource;
  let world: PaymentWorld;
  let browser: Browser;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    [world, browser] = await Promise.all([startPaymentWorld(dataSource), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await world?.close();
    await dataSource?.destroy();
  });

  it('pays the open debt through the sandbox card page and sees it settled', async () => {
    world.sandbox.setBehaviour({ ipn: 'late', lateMs: 5_000 });
    const debts = await createDebts(dataSource, world.company.id);
    await dataSource.query(`UPDATE customers SET name = 'Minta Ügyfél' WHERE id = $1`, [debts.customerId]);
    const session = await loginTestCustomer(world.running, dataSource, world.company.id, debts.customerId);

    const { context, page, problems } = await openPage(browser, VIEWPORTS[0]);
    await useSession(context, world.running.url, session.sessionId);
    // Tartozás preselects every open item; its button leads to the confirmation.
    await page.goto(`${world.running.url}/debts`);
    await Promise.all([
      page.waitForURL(/\/payments\/new\?/),
      page.getByRole('button', { name: 'Kijelöltek fizetése bankkártyával' }).click(),
    ]);
    expect(new URL(page.url()).searchParams.getAll('items').map(Number).sort()).toEqual(debts.items.map((i) => i.id).sort());
    await expect(page.locator('[data-testid="payment-total"]').textContent()).resolves.toBe('40\u00a0947\u00a0Ft');
    expect(await fitsViewportWidth(page)).toBe(true);
    await page.screenshot({ path: '/tmp/ugyfelportal-payment-confirm-phone.png', fullPage: true });

    await Promise.all([page.waitForURL(/\/pay\/\d+$/), page.getByRole('button', { name: 'Tovább a bankkártyás fizetéshez' }).click()]);
    await expect(page.getByLabel('Kártyaszám').isVisible()).resolves.toBe(true);
    expect(await fitsViewportWidth(page)).toBe(true);
    await page.screenshot({ path: '/tmp/ugyfelportal-payment-card-phone.png', fullPage: true });

    await Promise.all([page.waitForURL(/\/payments\/\d+$/), page.getByRole('button', { name: /^Fizetés/ }).click()]);
    await expect(page.locator('[data-testid="payment-state"]').textContent()).resolves.toBe('Sikeres');
    await expect(page.locator('[data-testid="open-total"]').textContent()).resolves.toBe('0\u00a0Ft');
    await expect(page.locator('table').textContent()).resolves.toContain('Kiegyenlített');
    await page.goto(`${world.running.url}/debts`);
    await expect(page.locator('.home-balance__amount strong').first().textContent()).resolves.toBe('0\u00a0Ft');
    expect(await fitsViewportWidth(page)).toBe(true);
    await page.screenshot({ path: '/tmp/ugyfelportal-payment-done-phone.png', fullPage: true });
    expect(problems).toEqual([]);
    await context.close();
  });
});
