import { Browser } from 'playwright-core';
import { DataSource } from 'typeorm';
import { fitsViewportWidth, launchBrowser, openPage, useSession, VIEWPORTS } from '../support/browser';
import { loginTestCustomer } from '../support/customer-session';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { createMeterWorld } from '../metering/fixtures';

describe('notification settings in Chromium on a phone', () => {
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

  it('turns a topic off at 375×812, keeps it off after the reload, and makes a calendar address', async () => {
    const world = await createMeterWorld(dataSource, { window: false });
    const session = await loginTestCustomer(running, dataSource, world.companyId, world.customerId);
    const { context, page, problems } = await openPage(browser, VIEWPORTS[0]);
    await useSession(context, running.url, session.sessionId);

    await page.goto(`${running.url}/notifications/settings`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Értesítési beállítások');
    expect(await page.locator('form.preferences input[type=checkbox]').count()).toBe(10);
    expect(await fitsViewportWidth(page)).toBe(true);
    await page.uncheck('#topic-invoice_overdue');
    await Promise.all([
      page.waitForURL(`${running.url}/notifications/settings?saved=1`),
      page.click('form.preferences button[type=submit]'),
    ]);
    await expect(page.locator('.flash').textContent()).resolves.toContain('elmentettük');
    expect(await page.isChecked('#topic-invoice_overdue')).toBe(false);
    expect(await page.isChecked('#topic-due_date_reminder')).toBe(true);
    const [row] = await dataSource.query(
      `SELECT email FROM notification_preferences WHERE company_id = $1 AND customer_id = $2 AND topic = 'invoice_overdue'`,
      [world.companyId, world.customerId],
    );
    expect(row).toEqual({ email: false });

    await Promise.all([
      page.waitForURL(`${running.url}/notifications/calendar`),
      page.click('form[action="/notifications/calendar"] button'),
    ]);
    await expect(page.locator('.calendar-url').textContent()).resolves.toMatch(/\/calendar\/[A-Za-z0-9_-]{43}\.ics$/);
    expect(await fitsViewportWidth(page)).toBe(true);
    await page.screenshot({ path: '/tmp/ugyfelportal-notification-settings-phone.png', fullPage: true });
    expect(problems).toEqual([]);
  });
});
