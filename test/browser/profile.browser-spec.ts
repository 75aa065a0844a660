import { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { fitsViewportWidth, launchBrowser, logInClerk, openPage, useSession, VIEWPORTS } from '../support/browser';
import { createTestClerk } from '../support/clerk-factories';
import { loginTestCustomer, startCookieSession } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createMeterWorld, waitFor } from '../metering/fixtures';
import { generateTotpSecret } from '../../src/identity/totp';

/**
 * Ügyféladatok in Chromium: the customer changes their phone number and address on a
 * phone (a wrong postcode first), a clerk reads the diff and approves on a desktop, the
 * worker applies it and the customer's page shows the new data with the timeline.
 */
describe('Ügyféladatok in Chromium: phone customer, desktop clerk', () => {
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

  it('a data change sent on /profile at 375×812 is approved on /backoffice/requests/:id at 1280×800 and applied', async () => {
    const world = await createMeterWorld(dataSource);
    const [company] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [world.companyId])) as Array<{ code: string }>;
    const clerk = await createTestClerk(dataSource, { id: world.companyId, code: company.code }, 'clerk', { name: 'Adat Ügyintéző' });
    const session = await loginTestCustomer(running, dataSource, world.companyId, world.customerId);

    const { context: phone, page: customer, problems: customerProblems } = await openPage(browser, VIEWPORTS[0]);
    await useSession(phone, running.url, session.sessionId);
    await customer.goto(`${running.url}/profile`);
    await expect(customer.locator('h1').textContent()).resolves.toBe('Ügyféladatok');
    await expect(customer.locator('#field-name').isEditable()).resolves.toBe(false);
    await expect(customer.locator('a[href="/password"]').count()).resolves.toBeGreaterThan(0);
    expect(await fitsViewportWidth(customer)).toBe(true);
    await customer.screenshot({ path: '/tmp/ugyfelportal-profile-phone-form.png', fullPage: true });

    await customer.fill('#field-phone', '06 30 123 4567');
    await customer.fill('#field-postcode', '6720');
    await customer.fill('#field-address', 'Kárász utca 1.');
    await Promise.all([customer.waitForURL(`${running.url}/profile`), customer.click('#send-changes')]);
    await expect(customer.locator('#field-town-error').textContent()).resolves.toContain('nem ehhez a településhez');
    expect(await fitsViewportWidth(customer)).toBe(true);
    await customer.screenshot({ path: '/tmp/ugyfelportal-profile-phone-error.png', fullPage: true });
    await customer.fill('#field-town', 'Szeged');
    await Promise.all([customer.waitForURL(/\/profile\?sent=1/), customer.click('#send-changes')]);
    await expect(customer.locator('.flash').textContent()).resolves.toContain('megkaptuk');
    await expect(customer.locator('.data-change .timeline').textContent()).resolves.toContain('beküldve');
    await expect(customer.locator('.timeline__answer-by').first().textContent()).resolves.toContain('Válaszunkat legkésőbb');
    const requestId = Number(await customer.locator('.data-change').getAttribute('data-request-id'));

    const { context: desktop, page: office, problems: officeProblems } = await openPage(browser, VIEWPORTS[1]);
    await logInClerk(office, running.url, clerk);
    await Promise.all([office.waitForURL(`${running.url}/backoffice/queue`), office.click('a[href="/backoffice/queue"]')]);
    const row = office.locator(`tr[data-request-id="${requestId}"]`);
    await expect(row.textContent()).resolves.toContain('Telefonszám: – → +36 30 123 4567');
    await expect(row.locator('input[type=checkbox]').count()).resolves.toBe(0);
    await Promise.all([office.waitForURL(`${running.url}/backoffice/requests/${requestId}`), row.locator('a').click()]);
    await expect(office.locator('.data-change-diff').textContent()).resolves.toContain('Kárász utca 1.');
    await office.screenshot({ path: '/tmp/ugyfelportal-data-change-desktop.png', fullPage: true });
    await Promise.all([office.waitForURL(/done=approve/), office.click('#approve')]);

    await waitFor(async () => {
      const rows = (await dataSource.query(`SELECT state FROM requests WHERE id = $1`, [requestId])) as Array<{ state: string }>;
      return rows[0]?.state === 'applied' ? true : undefined;
    });
    await customer.goto(`${running.url}/profile`);
    await expect(customer.locator('#field-phone').inputValue()).resolves.toBe('+36 30 123 4567');
    await expect(customer.locator('#field-town').inputValue()).resolves.toBe('Szeged');
    await expect(customer.locator('.data-change .timeline').textContent()).resolves.toContain('rögzítve');
    expect(await fitsViewportWidth(customer)).toBe(true);
    await customer.screenshot({ path: '/tmp/ugyfelportal-profile-phone-applied.png', fullPage: true });

    // The one 400 is the form answering the wrong postcode (a page with the error, as designed).
    expect(customerProblems).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    expect(officeProblems).toEqual([]);
    await phone.close();
    await desktop.close();
  });

  it('an admin narrows what customers may change online on /backoffice/settings (desktop and phone), and the customer’s page follows', async () => {
    const world = await createMeterWorld(dataSource);
    const [company] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [world.companyId])) as Array<{ code: string }>;
    const admin = await createTestClerk(dataSource, { id: world.companyId, code: company.code }, 'admin', {
      totpSecret: generateTotpSecret(),
    });
    const adminSession = await startCookieSession(running, {
      kind: 'clerk',
      companyId: world.companyId,
      clerkId: admin.id,
      name: 'Admin',
      role: 'admin',
    });

    const { context: phone, page: small, problems: phoneProblems } = await openPage(browser, VIEWPORTS[0]);
    await useSession(phone, running.url, adminSession.sessionId);
    await small.goto(`${running.url}/backoffice/settings`);
    await expect(small.locator('h1').textContent()).resolves.toBe('Ügyfélportál beállításai');
    expect(await fitsViewportWidth(small)).toBe(true);
    await small.screenshot({ path: '/tmp/ugyfelportal-settings-phone.png', fullPage: true });

    const { context: desktop, page: office, problems: officeProblems } = await openPage(browser, VIEWPORTS[1]);
    await useSession(desktop, running.url, adminSession.sessionId);
    await office.goto(`${running.url}/backoffice`);
    await Promise.all([office.waitForURL(`${running.url}/backoffice/settings`), office.click('a[href="/backoffice/settings"]')]);
    await office.uncheck('#field-address');
    await office.check('#method-card');
    await office.fill('#days-data_change', '10');
    await Promise.all([office.waitForURL(/\/backoffice\/settings\?saved=1/), office.click('form.company-settings button[type=submit]')]);
    await expect(office.locator('.flash').textContent()).resolves.toContain('elmentettük');
    await expect(office.locator('#field-address').isChecked()).resolves.toBe(false);
    await expect(office.locator('#days-data_change').inputValue()).resolves.toBe('10');
    await office.screenshot({ path: '/tmp/ugyfelportal-settings-desktop.png', fullPage: true });

    const session = await loginTestCustomer(running, dataSource, world.companyId, world.customerId);
    const { context: customerPhone, page: customer } = await openPage(browser, VIEWPORTS[0]);
    await useSession(customerPhone, running.url, session.sessionId);
    await customer.goto(`${running.url}/profile`);
    await expect(customer.locator('#field-address').isEditable()).resolves.toBe(false);
    await expect(customer.locator('#field-phone').isEditable()).resolves.toBe(true);

    expect(phoneProblems).toEqual([]);
    expect(officeProblems).toEqual([]);
    await phone.close();
    await desktop.close();
    await customerPhone.close();
  });
});
