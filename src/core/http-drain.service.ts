import { Server } from 'node:http';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppConfig } from '../../config/configuration';
import { APP_CONFIG } from './config.module';

/** How often the drain looks whether the last connection has gone. */
const CHECK_EVERY_MS = 50;
/**
 * A connection that has sent nothing for this long after SIGTERM is idle, not busy
 * between two requests: closing it then cannot cut a request the client is sending.
 */
const IDLE_AFTER_MS = 1_000;

/**
 * The HTTP side of a graceful shutdown. On a signal: readiness answers 503 at once,
 * every response from then on carries `Connection: close` (so a kept-alive client
 * reconnects elsewhere instead of sending more), idle connections are closed, and
 * shutdown waits until no connection is left (at most half the grace time) before
 * Nest closes the server and finishes the in-flight requests.
 */
@Injectable()
export class HttpDrain implements BeforeApplicationShutdown {
  private readonly logger = new Logger(HttpDrain.name);
  private drainingSince: number | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  /** Starts draining (idempotent): from now on readiness is 503 and responses close their connection. */
  begin(): void {
    if (this.draining) return;
    this.drainingSince = Date.now();
    this.server()?.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
  }

  /** Runs on a shutdown signal, before Nest closes the server; `app.close()` from code closes at once as before. */
  async beforeApplicationShutdown(signal?: string): Promise<void> {
    const server = this.server();
    if (!signal || !server) return;
    this.begin();
    const deadline = (this.drainingSince ?? Date.now()) + this.config.SHUTDOWN_GRACE_MS / 2;
    let open = await this.openConnections(server);
    while (open > 0 && Date.now() < deadline) {
      if (Date.now() - (this.drainingSince ?? 0) >= IDLE_AFTER_MS) server.closeIdleConnections();
      await new Promise((resolve) => setTimeout(resolve, CHECK_EVERY_MS));
      open = await this.openConnections(server);
    }
    this.logger.log({ open, drainedInMs: Date.now() - (this.drainingSince ?? 0) }, 'HTTP connections drained');
  }

  private server(): Server | undefined {
    return this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
  }

  private openConnections(server: Server): Promise<number> {
    return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
  }
}
