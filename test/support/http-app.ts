import { AddressInfo, createServer } from 'node:net';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { parseConfig } from '../../config/configuration';
import { createHttpApp } from '../../src/bootstrap';
import { createOpenApiDocument } from '../../src/core/openapi-document';
import { WorkerRunner } from '../../src/core/worker-runner.service';
import { contractCheck, OpenApiDocument, ResponseContract } from './openapi-contract';

export interface RunningApp {
  app: NestFastifyApplication;
  url: string;
  /** Every route the app serves (method, path pattern as `/x/:id`), in registration order. */
  routes: Array<{ method: string; path: string }>;
  /** Stops the app; fails if any /api answer broke the OpenAPI contract meanwhile. */
  close(): Promise<void>;
}

/** A port nobody listens on right now (for an app whose PUBLIC_URL must name its own port). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The real portal (pages, API, and with `withWorker` the workers and outbox relay)
 * on a free port, against this test run's database and Redis prefix. Every /api
 * answer is checked against the OpenAPI document the code generates (see openapi-contract.ts).
 */
export async function startTestApp(
  options: { withWorker?: boolean; env?: Record<string, string>; port?: number } = {},
): Promise<RunningApp> {
  const config = parseConfig({ ...process.env, ...options.env });
  const app = await createHttpApp(config, options.withWorker ? 'all' : 'api');
  const violations: string[] = [];
  const contract = new ResponseContract(createOpenApiDocument(app, config) as unknown as OpenApiDocument);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', contractCheck(contract, violations));
  const routes: RunningApp['routes'] = [];
  fastify.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, path: route.url });
  });
  await app.listen(options.port ?? 0, '127.0.0.1');
  if (options.withWorker) await app.get(WorkerRunner).start();
  const address = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${address.port}`,
    routes,
    close: async () => {
      await app.close();
      if (violations.length > 0) throw new Error(`Answers that break the OpenAPI contract:\n${violations.join('\n')}`);
    },
  };
}
