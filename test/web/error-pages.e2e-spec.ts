import { Controller, Get, Module, Render } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { parseConfig } from '../../config/configuration';
import { HtmlExceptionFilter } from '../../src/web/html-exception.filter';
import { configureViews } from '../../src/web/view-engine';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,*/*;q=0.8';

/** Pages that fail, which the real portal (rightly) has none of. */
@Controller()
class FailingPages {
  @Get('throws')
  throws(): never {
    throw new Error('database on fire');
  }

  /** web/error needs titleKey and textKey; without them its template throws. */
  @Get('broken-template')
  @Render('web/error')
  brokenTemplate() {
    return { status: 200 };
  }
}

@Module({ controllers: [FailingPages], providers: [{ provide: APP_FILTER, useClass: HtmlExceptionFilter }] })
class FailingPagesModule {}

describe('error pages for failures', () => {
  let app: NestFastifyApplication;
  let url: string;

  beforeAll(async () => {
    app = await NestFactory.create<NestFastifyApplication>(FailingPagesModule, new FastifyAdapter(), { logger: false });
    await configureViews(app, parseConfig(process.env));
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  it.each(['/throws', '/broken-template'])('shows browsers a 500 page in the layout for %s, without the error text', async (path) => {
    const response = await request(url).get(path).set('Accept', BROWSER_ACCEPT).expect(500);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('<title>Átmeneti hiba – Ügyfélportál</title>');
    expect(response.text).toContain('<nav id="site-menu"');
    expect(response.text).not.toMatch(/database on fire|t helper/);
  });

  it('keeps the JSON body for JSON clients', async () => {
    await request(url).get('/throws').set('Accept', 'application/json').expect(500, { statusCode: 500, message: 'Internal server error' });
  });
});
