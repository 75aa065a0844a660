import { Browser, BrowserContext, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { fitsViewportWidth, launchBrowser, openPage, VIEWPORTS, waitUntilShown } from '../support/browser';
import { createClerkTestCompany, createTestClerk, TestClerk } from '../support/clerk-factories';
import { openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';
import { currentTotpCode, generateTotpSecret } from '../../src/identity/totp';

/** An admin registers a webhook (its secret shown once) and retries a failing one, on a phone and a desktop. */
describe('integration webhooks in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  let dataSource: DataSource;
  const admins: Record<string, { admin: TestClerk; secret: string }> = {};

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    for (const size of VIEWPORTS) {
      const company = await createClerkTestCompany(dataSource);
      const secret = generateTotpSecret();
      admins[size.name] = { admin: await createTestClerk(dataSource, company, 'admin', { totpSecret: secret }), secret };
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

    it('an admin registers a webhook, copies its secret, and retries it once it fails', async () => {
      const { admin, secret } = admins[size.name];
      await page.goto(`${running.url}/backoffice/login`);
      await page.selectOption('#company', admin.companyCode);
      await page.fill('#email', admin.email);
      await page.fill('#password', admin.password);
      await Promise.all([page.waitForSelector('#code'), page.click('form.form button[type=submit]')]);
      await page.fill('#code', currentTotpCode(secret));
      await Promise.all([page.waitForURL(`${running.url}/backoffice`), page.click('form.form button[type=submit]')]);
      await Promise.all([
        page.waitForURL(`${running.url}/backoffice/integration-webhooks`),
        page.click('a[href="/backoffice/integration-webhooks"]'),
      ]);
      await expect(page.locator('h1').textContent()).resolves.toBe('Webhookok');
      expect(await fitsViewportWidth(page)).toBe(true);

      await page.fill('#url', 'https://athos.example/hooks/portal');
      await Promise.all([page.waitForSelector('[data-webhook-secret]'), page.click('main form.form button[type=submit]')]);
      await expect(page.locator('[data-webhook-secret]').textContent()).resolves.toMatch(/^whsec_/);
      expect(await fitsViewportWidth(page)).toBe(true);
      await page.screenshot({ path: `/tmp/ugyfelportal-webhooks-${size.name}.png`, fullPage: true });

      // As a worker leaves an endpoint whose every retry failed.
      // TypeORM answers an UPDATE with [rows, affected count].
      const [[{ id }]] = (await dataSource.query(
        `UPDATE webhook_endpoints SET failure_count = 12, last_error = 'HTTP 503', last_attempt_at = now(), stopped_at = now()
          WHERE company_id = $1 RETURNING id::int`,
        [admin.companyId],
      )) as [Array<{ id: number }>, number];
      await page.goto(`${running.url}/backoffice/integration-webhooks`);
      const failing = page.locator(`tr[data-failing-webhook-id="${id}"]`);
      await waitUntilShown(failing);
      await expect(failing.textContent()).resolves.toContain('HTTP 503');
      expect(await fitsViewportWidth(page)).toBe(true);
      await Promise.all([page.waitForURL(/\?done=retried/), failing.locator('button').click()]);
      await expect(page.locator('.flash--success').textContent()).resolves.toContain('újraindítottuk');
      expect(problems).toEqual([]);
    });
  });
});
