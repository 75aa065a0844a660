import { NestExpressApplication } from '@nestjs/platform-express';
import { parseConfig } from '../../config/configuration';
import { createHttpApp } from '../../src/bootstrap';
import { WorkerRunner } from '../../src/core/worker-runner.service';

export interface RunningApp {
  app: NestExpressApplication;
  url: string;
  close(): Promise<void>;
}

/**
 * The real portal (pages, API, and with `withWorker` the workers and outbox relay)
 * on a free port, against this test run's database and Redis prefix.
 */
export async function startTestApp(options: { withWorker?: boolean; env?: Record<string, string> } = {}): Promise<RunningApp> {
  const config = parseConfig({ ...process.env, ...options.env });
  const app = await createHttpApp(config, options.withWorker ? 'all' : 'api');
  await app.listen(0, '127.0.0.1');
  if (options.withWorker) await app.get(WorkerRunner).start();
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}
