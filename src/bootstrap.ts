import { INestApplicationContext, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppConfig, ConfigError, loadConfig, Role, servesHttps } from '../config/configuration';
import { AppModule } from './app.module';
import { simplePayOrigins } from './payments/simplepay/simplepay.gateway';
import { createOpenApiDocument } from './core/openapi-document';
import { HttpDrain } from './core/http-drain.service';
import { requestIdOf } from './core/core.module';
import { withLeanJsonHeaders } from './core/security-headers';
import { SessionMiddleware } from './identity/session.middleware';
import { WorkerRunner } from './core/worker-runner.service';
import { configureViews } from './web/view-engine';
import { IMPORT_BODY_LIMIT_BYTES, INTEGRATION_PATH } from './integration/import-kinds';

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

/** A clerk's bulk approval of BULK_MAX (10,000) items is about 400 kB of JSON. */
const BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * The HTTP pipeline, in order: request id, security headers, cookies, `reply.locals` and
 * the page language (onRequest, the last three from configureViews); the session and CSRF check (preHandler, after the body
 * is parsed); then Nest's guards and the route. `/static/` and `/api/docs` come from plugins.
 */
export async function configureHttpApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  const headers = withLeanJsonHeaders(securityHeaders(config));
  fastify.addHook('onRequest', (request, reply, done) => headers(request.raw, reply.raw, (error) => done(error as Error | undefined)));
  // The billing back office's imports carry up to 10,000 rows (and invoice PDFs): a larger body limit on that path only.
  fastify.addHook('onRoute', (route) => {
    if (route.url.startsWith(INTEGRATION_PATH)) route.bodyLimit = IMPORT_BODY_LIMIT_BYTES;
  });
  await configureViews(app, config);
  fastify.addHook('preHandler', app.get(SessionMiddleware).hook);
  SwaggerModule.setup('api/docs', app, () => createOpenApiDocument(app, config), {
    jsonDocumentUrl: 'api/docs/openapi.json',
  });
}

/** Builds the HTTP app (not listening yet), for `main.ts` and the e2e tests. */
export async function createHttpApp(config: AppConfig, role: Role): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    // Only the configured proxies may name the client's address (request.ip: throttling, audit trail).
    trustProxy: config.TRUSTED_PROXIES,
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestIdOf,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRole(role, config), adapter, {
    bufferLogs: true,
    // The bank's IPN is verified over its exact bytes.
    rawBody: true,
  });
  await configureHttpApp(app, config);
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
      await (context as NestFastifyApplication).listen(config.PORT, '0.0.0.0');
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
