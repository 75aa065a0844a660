import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestCompany, openTestDataSource } from '../support/database';
import { RunningApp, startTestApp } from '../support/http-app';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** What the CSP (script-src 'self', style-src 'self') would block. */
function expectNoInlineScriptOrStyle(html: string): void {
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
  expect(html).not.toMatch(/<style[\s>]/i);
  expect(html).not.toMatch(/\sstyle\s*=/i);
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
}

describe('web shell pages', () => {
  let running: RunningApp;
  let dataSource: DataSource;
  const companyName = `Teszt Távhő <Zrt> ${process.pid}`;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    await createTestCompany(dataSource, companyName);
    running = await startTestApp();
  });

  afterAll(async () => {
    await running?.close();
    await dataSource?.destroy();
  });

  it('serves the home page in Hungarian by default, with the companies from the database', async () => {
    const response = await request(running.url).get('/').set('Accept', BROWSER_ACCEPT).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('<html lang="hu">');
    expect(response.text).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(response.text).toContain('Ügyfélportál');
    expect(response.text).toContain('Mit intézhet a portálon?');
    expect(response.text).toContain('<a class="site-nav__link" href="/" aria-current="page">Kezdőlap</a>');
    expect(response.text).toContain(`Teszt Távhő &lt;Zrt&gt; ${process.pid}`);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('switches to English with ?lang=en and remembers it in a cookie', async () => {
    const response = await request(running.url).get('/?lang=en').expect(200);
    expect(response.text).toContain('<html lang="en">');
    expect(response.text).toContain('What you can do here');
    const cookie = (response.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('lang='))!;
    expect(cookie).toMatch(/^lang=en;/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=31536000/);

    const next = await request(running.url).get('/contact').set('Cookie', 'lang=en').expect(200);
    expect(next.text).toContain('<html lang="en">');
    expect(next.text).toContain('<a href="/contact?lang&#x3D;hu" lang="hu" hreflang="hu">Magyar</a>');
  });

  it('ignores an unsupported language', async () => {
    const response = await request(running.url).get('/?lang=de').set('Cookie', 'lang=fr').expect(200);
    expect(response.text).toContain('<html lang="hu">');
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it.each([
    ['/contact', 'Kapcsolat'],
    ['/terms', 'Általános Szerződési Feltételek'],
  ])('serves %s', async (path, heading) => {
    const response = await request(running.url).get(path).expect(200);
    expect(response.text).toContain(`<h1>${heading}</h1>`);
    expect(response.text).toContain(`<a href="${path}" aria-current="page">${heading}</a>`);
  });

  it('answers an unknown page with a 404 page in the layout', async () => {
    const response = await request(running.url).get('/no-such-page').set('Accept', BROWSER_ACCEPT).expect(404);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('Az oldal nem található');
    expect(response.text).toContain('<nav id="site-menu"');
  });

  it('keeps JSON errors for the API, even when a browser asks', async () => {
    for (const accept of [BROWSER_ACCEPT, 'application/json']) {
      const response = await request(running.url).get('/api/v1/nope').set('Accept', accept).expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).toEqual({ statusCode: 404, message: 'Cannot GET /api/v1/nope', error: 'Not Found' });
    }
  });

  it('keeps JSON errors for clients that do not prefer HTML', async () => {
    const response = await request(running.url).get('/no-such-page').set('Accept', 'application/json').expect(404);
    expect(response.body).toEqual({ statusCode: 404, message: 'Cannot GET /no-such-page', error: 'Not Found' });
  });

  it.each(['/', '/?lang=en', '/contact', '/terms', '/no-such-page'])('sends a CSP and no inline script or style on %s', async (path) => {
    const response = await request(running.url).get(path).set('Accept', BROWSER_ACCEPT);
    const csp = response.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expectNoInlineScriptOrStyle(response.text);
  });

  it('serves the linked static assets with a long cache', async () => {
    const home = await request(running.url).get('/').expect(200);
    const stylesheet = /<link rel="stylesheet" href="([^"]+)">/.exec(home.text)![1].replace(/&#x3D;/g, '=');
    const css = await request(running.url).get(stylesheet).expect(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    await request(running.url)
      .get('/static/app.js')
      .expect(200)
      .expect('content-type', /javascript/);
  });

  it('serves the API documentation page (Swagger UI) with its scripts, under the page headers', async () => {
    const page = await request(running.url).get('/api/docs').redirects(1).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((match) => new URL(match[1], `${running.url}/api/docs`).pathname);
    expect(scripts).toContain('/api/docs/swagger-ui-init.js');
    for (const script of scripts) {
      await request(running.url)
        .get(script)
        .expect(200)
        .expect('content-type', /javascript/);
    }
  });
});

describe('an installation whose default language is English', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startTestApp({ env: { DEFAULT_LANGUAGE: 'en' } });
  });

  afterAll(async () => {
    await running?.close();
  });

  it('serves English until the visitor chooses Hungarian', async () => {
    const first = await request(running.url).get('/contact').expect(200);
    expect(first.text).toContain('<html lang="en">');
    const chosen = await request(running.url).get('/contact?lang=hu').expect(200);
    expect(chosen.text).toContain('<html lang="hu">');
  });
});
