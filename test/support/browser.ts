import { Browser, BrowserContext, chromium, Locator, Page } from 'playwright-core';
import { SESSION_COOKIE } from '../../src/identity/session.service';
import { currentTotpCode } from '../../src/identity/totp';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The system Chromium, headless. Playwright gives each launch a fresh temporary
 * profile (user-data-dir) and deletes it on close, so runs share no cookies or cache.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The two sizes every key flow is checked at. */
export const VIEWPORTS = [
  { name: 'phone', width: 375, height: 812 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

export type Viewport = (typeof VIEWPORTS)[number];

/** A fresh context and page at `viewport`, with its problems collected from the start. */
export async function openPage(browser: Browser, viewport: Viewport): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
  const page = await context.newPage();
  return { context, page, problems: collectPageProblems(page) };
}

/**
 * Collects what a page reports as broken: console errors (CSP violations and
 * assets that fail to load show up there) and uncaught exceptions. Call before
 * navigating. Aborted requests are left out: a navigation cancels pending ones.
 */
export function collectPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

/**
 * True when the page needs no sideways scrolling. The checks run in the page as
 * expressions, because the project compiles without DOM types (server code must not see them).
 */
export async function fitsViewportWidth(page: Page): Promise<boolean> {
  return (await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')) === true;
}

/** The computed value of a CSS property of the first element matching `selector`. */
export async function computedStyle(page: Page, selector: string, property: string): Promise<string> {
  return String(await page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`));
}

/** How long a waiting assertion waits for the page to catch up. */
const WAIT_MS = 5_000;

/**
 * Waits until `locator` is shown (visible) or, with `shown` false, not shown (hidden or
 * absent). Use it after a click instead of reading `isVisible()` at once; it fails
 * naming the locator when the page does not get there in time.
 */
export async function waitUntilShown(locator: Locator, shown = true): Promise<void> {
  await locator.waitFor({ state: shown ? 'visible' : 'hidden', timeout: WAIT_MS });
}

/** Polls `read` until it gives `expected`; fails with the last value it read. */
export async function waitForValue<T>(read: () => Promise<T>, expected: T): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await read();
    if (value === expected) return;
    if (Date.now() > deadline) throw new Error(`Waited ${WAIT_MS} ms for ${JSON.stringify(expected)}, last read ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Puts a session made outside the browser (loginTestCustomer, startCookieSession) into `context`'s cookies for the app at `appUrl`. */
export async function useSession(context: BrowserContext, appUrl: string, sessionId: string): Promise<void> {
  await context.addCookies([{ name: SESSION_COOKIE, value: sessionId, url: appUrl }]);
}

/**
 * Logs a clerk in through /backoffice/login, with the second-factor step when `totpSecret`
 * is given, and waits for the back-office home.
 */
export async function logInClerk(
  page: Page,
  appUrl: string,
  clerk: { companyCode: string; email: string; password: string },
  totpSecret?: string,
): Promise<void> {
  await page.goto(`${appUrl}/backoffice/login`);
  await page.selectOption('#company', clerk.companyCode);
  await page.fill('#email', clerk.email);
  await page.fill('#password', clerk.password);
  if (totpSecret !== undefined) {
    await Promise.all([page.waitForSelector('#code'), page.click('form.form button[type=submit]')]);
    await page.fill('#code', currentTotpCode(totpSecret));
  }
  await Promise.all([page.waitForURL(`${appUrl}/backoffice`), page.click('form.form button[type=submit]')]);
}

/** Logs a customer in through /login (the company chosen by its id or its shown name) and waits for the home page. */
export async function logInCustomer(
  page: Page,
  appUrl: string,
  login: { company: { id: number } | { name: string }; identifier: string; password: string },
): Promise<void> {
  await page.goto(`${appUrl}/login`);
  await page.selectOption('#companyId', 'id' in login.company ? String(login.company.id) : { label: login.company.name });
  await page.fill('#identifier', login.identifier);
  await page.fill('#password', login.password);
  await Promise.all([page.waitForURL(`${appUrl}/`), page.click('form[action="/login"] button[type=submit]')]);
}
