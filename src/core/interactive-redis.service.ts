import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import IORedis from 'ioredis';
import { AppConfig } from '../../config/configuration';
import { createInteractiveRedisConnection, waitUntilReady, warnOncePerOutage } from '../../libs/queue/redis';
import { APP_CONFIG } from './config.module';

/** How long start-up waits for Redis before serving anyway (readiness then says 503). */
const STARTUP_WAIT_MS = 5_000;

/**
 * The Redis connection of request handlers: sessions, rate limits, the readiness
 * check. It fails fast (REDIS_FAIL_FAST_MS, no offline queue) so that during a
 * Redis outage a request gets 503 at once instead of waiting it out; BullMQ keeps
 * its own patient connection (QueuesService).
 */
@Injectable()
export class InteractiveRedis implements OnModuleInit, OnApplicationShutdown {
  readonly client: IORedis;
  private readonly logger = new Logger(InteractiveRedis.name);

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.client = createInteractiveRedisConnection(config.REDIS_URL, config.REDIS_FAIL_FAST_MS);
    warnOncePerOutage(this.client, (error) => this.logger.warn({ err: error.message }, 'redis unavailable; requests that need it get 503'));
  }

  /** Commands fail until the connection is ready, so the first requests wait for it (bounded). */
  async onModuleInit(): Promise<void> {
    if (!(await waitUntilReady(this.client, STARTUP_WAIT_MS))) {
      this.logger.warn('Redis is not answering; starting anyway (readiness says 503 until it does)');
    }
  }

  onApplicationShutdown(): void {
    this.client.disconnect();
  }
}
