import { AddressInfo, createServer } from 'node:net';
import { NestExpressApplication } from '@nestjs/platform-express';
import { parseConfig } from '../../config/configuration';
import { createHttpApp } from '../../src/bootstrap';
import { WorkerRunner } from '../../src/core/worker-runner.service';

export interface RunningApp {
  app: NestExpressApplication;
  url: string;
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
 * on a free port, against this test run's database and Redis prefix.
 */
export async function startTestApp(
  options: { withWorker?: boolean; env?: Record<string, string>; port?: number } = {},
): Promise<RunningApp> {
  const config = parseConfig({ ...process.env, ...options.env });
  const app = await createHttpApp(config, options.withWorker ? 'all' : 'api');
  await app.listen(options.port ?? 0, '127.0.0.1');
  if (options.withWorker) await app.get(WorkerRunner).start();
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}
