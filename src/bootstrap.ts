import { INestApplicationContext, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { json } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppConfig, ConfigError, loadConfig, Role, servesHttps } from '../config/configuration';
import { AppModule } from './app.module';
import { simplePayOrigins } from './payments/simplepay/simplepay.gateway';
import { createOpenApiDocument } from './core/openapi-document';
import { HttpDrain } from './core/http-drain.service';
import { withLeanJsonHeaders } from './core/security-headers';
import { WorkerRunner } from './core/worker-runner.service';
import { configureViews } from './web/view-engine';
import { IMPORT_BODY_LIMIT, INTEGRATION_PATH } from './integration/import-kinds';

/** Security headers; the CSP allows no inline script and no third-party origin; HSTS when served over https. */
function securityHeaders(config: AppConfig) {
  const https = servesHttps(config);
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        // The card payment form is answered with a redirect to the bank's card page.
        'form-action': ["'self'", ...simplePayOrigins(config)],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': https ? [] : null,
      },
    },
    strictTransportSecurity: https,
  });
}

export function configureHttpApp(app: NestExpressApplication, config: AppConfig): void {
  app.useLogger(app.get(Logger));
  app.disable('x-powered-by');
  // Only the configured proxies may name the client's address (req.ip: throttling, audit trail).
  app.set('trust proxy', config.TRUSTED_PROXIES);
  app.use(withLeanJsonHeaders(securityHeaders(config)));
  // Answers are per customer and mostly uncacheable: hashing each body for an ETag costs more than a rare 304 saves.
  app.set('etag', false);
  // The billing back office's imports carry up to 10,000 rows (and invoice PDFs): a larger limit on that path only.
  app.use(INTEGRATION_PATH, json({ limit: IMPORT_BODY_LIMIT }));
  // A clerk's bulk approval of BULK_MAX (10,000) items is about 400 kB of JSON.
  app.useBodyParser('json', { limit: '1mb' });
  configureViews(app, config);
  SwaggerModule.setup('api/docs', app, () => createOpenApiDocument(app, config), {
    jsonDocumentUrl: 'api/docs/openapi.json',
  });
}

/** Builds the HTTP app (not listening yet), for `main.ts` and the e2e tests. */
export async function createHttpApp(config: AppConfig, role: Role): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRole(role, config), {
    bufferLogs: true,
    // The bank's IPN is verified over its exact bytes.
    rawBody: true,
  });
  configureHttpApp(app, config);
  // Exit with 0 after a clean shutdown instead of re-raising the signal.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  return app;
}

/**
 * SIGTERM starts the HTTP drain at once (readiness 503, `Connection: close`); Nest's
 * shutdown hooks then wait for the connections to go (HttpDrain) before closing.
 */
function drainOnSigterm(app: INestApplicationContext): void {
  process.once('SIGTERM', () => app.get(HttpDrain).begin());
}

/** Starts the process in the given role; `all` serves HTTP and runs workers. */
export async function bootstrap(roleOverride?: Role): Promise<INestApplicationContext> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const role = roleOverride ?? config.ROLE;
  const context =
    role === 'worker'
      ? await NestFactory.createApplicationContext(AppModule.forRole(role, config), { bufferLogs: true })
      : await createHttpApp(config, role);
  try {
    if (role === 'worker') {
      context.useLogger(context.get(Logger));
      context.enableShutdownHooks(undefined, { useProcessExit: true });
    }
    await context.init();
    // Workers start before the listener, so a process that cannot work never takes traffic.
    if (role !== 'api') await context.get(WorkerRunner).start();
    if (role !== 'worker') {
      drainOnSigterm(context);
      await (context as NestExpressApplication).listen(config.PORT);
    }
  } catch (error) {
    context.get(Logger).error({ err: error }, 'start-up failed; stopping');
    await context.close().catch(() => undefined);
    process.exit(1);
  }
  // Shutdown hooks let in-flight requests and jobs finish; this caps how long that may take.
  process.once('SIGTERM', () =>
    setTimeout(() => {
      context.get(Logger).error({ graceMs: config.SHUTDOWN_GRACE_MS }, 'graceful shutdown took too long; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS).unref(),
  );
  new NestLogger('Bootstrap').log({ role, url: role === 'worker' ? undefined : config.PUBLIC_URL }, 'Ügyfélportál started');
  return context;
}
