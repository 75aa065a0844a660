import { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { fitsViewportWidth, launchBrowser, logInClerk, openPage, useSession, VIEWPORTS } from '../support/browser';
import { createTestClerk } from '../support/clerk-factories';
import { loginTestCustomer } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createMeterWorld, createReading, daysAgo, waitFor } from '../metering/fixtures';

/**
 * The reading's whole path in Chromium: a customer reports on a phone, a clerk
 * approves on a desktop, the worker applies it, the customer sees "elfogadva" and
 * the new history row. The customer's session is set as a cookie (made through
 * SessionService), so this does not depend on the customer login page.
 */
describe('meter reading in Chromium: phone customer, desktop clerk', () => {
  let running: RunningApp;
  let browser: Browser;
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    [running, browser] = await Promise.all([startTestApp({ withWorker: true }), launchBrowser()]);
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await dataSource?.destroy();
  });

  it('submits on /readings at 375×812, is approved on /backoffice/requests/:id at 1280×800, and shows as accepted', async () => {
    const world = await createMeterWorld(dataSource, { decimals: 1 });
    await dataSource.query(
      `UPDATE meters SET calibrated_at = '2021-05-10', provider_reading_period = 'Évente egyszer, októberben' WHERE id = $1`,
      [world.meterId],
    );
    await createReading(dataSource, world.companyId, world.meterId, daysAgo(400), 80);
    await createReading(dataSource, world.companyId, world.meterId, daysAgo(35), 100);
    const [company] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [world.companyId])) as Array<{ code: string }>;
    const clerk = await createTestClerk(dataSource, { id: world.companyId, code: company.code }, 'clerk', { name: 'Böngésző Ügyintéző' });
    const session = await loginTestCustomer(running, dataSource, world.companyId, world.customerId);

    // The customer, on a phone.
    const { context: phone, page: customer, problems: customerProblems } = await openPage(browser, VIEWPORTS[0]);
    await useSession(phone, running.url, session.sessionId);
    await customer.goto(`${running.url}/readings`);
    await expect(customer.locator('h1').textContent()).resolves.toBe('Mérőóraállás bejelentése');
    await expect(customer.locator('.meter-facts').first().textContent()).resolves.toContain('Melegvíz óra');
    expect(await fitsViewportWidth(customer)).toBe(true);
    await customer.screenshot({ path: '/tmp/ugyfelportal-readings-phone-form.png', fullPage: true });

    await customer.fill(`#value-${world.meterId}`, '108,5');
    await Promise.all([
      customer.waitForURL(`${running.url}/readings`),
      customer.click(`#meter-${world.meterId} form.reading-form button[type=submit]`),
    ]);
    await expect(customer.locator('.reading-confirm__consumption').textContent()).resolves.toContain('8,5 m³');
    expect(await fitsViewportWidth(customer)).toBe(true);
    await customer.screenshot({ path: '/tmp/ugyfelportal-readings-phone-confirm.png', fullPage: true });
    await Promise.all([
      customer.waitForURL(/\/readings\?servicePoint=\d+&sent=\d+/),
      customer.click('.reading-confirm button[type=submit]'),
    ]);
    await expect(customer.locator('.flash').textContent()).resolves.toContain('megkaptuk');
    await expect(customer.locator('.timeline').first().textContent()).resolves.toContain('beküldve');
    const requestId = Number(new URL(customer.url()).searchParams.get('sent'));

    // The clerk, on a desktop.
    const { context: desktop, page: office, problems: officeProblems } = await openPage(browser, VIEWPORTS[1]);
    await logInClerk(office, running.url, clerk);
    await Promise.all([office.waitForURL(`${running.url}/backoffice/queue`), office.click('a[href="/backoffice/queue"]')]);
    await expect(office.locator(`tr[data-request-id="${requestId}"]`).textContent()).resolves.toContain('108,5');
    await office.screenshot({ path: '/tmp/ugyfelportal-queue-desktop.png', fullPage: true });
    await Promise.all([
      office.waitForURL(`${running.url}/backoffice/requests/${requestId}`),
      office.click(`tr[data-request-id="${requestId}"] a`),
    ]);
    await Promise.all([office.waitForURL(/done=claim/), office.click('form[action$="/claim"] button')]);
    await expect(office.locator('.request-facts').textContent()).resolves.toContain('Böngésző Ügyintéző');
    await Promise.all([office.waitForURL(/done=approve/), office.click('#approve')]);
    await office.screenshot({ path: '/tmp/ugyfelportal-request-desktop.png', fullPage: true });

    await waitFor(async () => {
      const rows = (await dataSource.query(`SELECT state FROM requests WHERE id = $1`, [requestId])) as Array<{ state: string }>;
      return rows[0]?.state === 'applied' ? true : undefined;
    });

    // Back on the phone.
    await customer.reload();
    await expect(customer.locator('.timeline').first().textContent()).resolves.toContain('elfogadva');
    await expect(customer.locator('.meter-last').first().textContent()).resolves.toContain('108,5 m³');
    await expect(customer.locator('.meter-last').first().textContent()).resolves.toContain('Ügyfél diktálás');
    await customer.screenshot({ path: '/tmp/ugyfelportal-readings-phone-accepted.png', fullPage: true });
    await Promise.all([customer.waitForURL(/\/history$/), customer.click(`#meter-${world.meterId} a[href$="/history"]`)]);
    const firstRow = customer.locator('tbody tr').first();
    await expect(firstRow.textContent()).resolves.toContain('108,5 m³');
    await expect(firstRow.textContent()).resolves.toContain('Ügyfél diktálás');
    await expect(firstRow.textContent()).resolves.toContain('8,5 m³');
    expect(await customer.evaluate('document.querySelector(".reading-chart-img").naturalWidth > 0')).toBe(true);
    expect(await fitsViewportWidth(customer)).toBe(true);
    await customer.screenshot({ path: '/tmp/ugyfelportal-history-phone.png', fullPage: true });

    expect(customerProblems).toEqual([]);
    expect(officeProblems).toEqual([]);
    await phone.close();
    await desktop.close();
  });
});
