import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule, Params } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from '../../config/configuration';
import { redactQuery, redactUrl } from '../../libs/logging/redact-url';
import { dataSourceOptions } from '../../config/data-source-options';
import { Clock } from './clock';
import { ConfigModule } from './config.module';
import { HealthController } from './health.controller';
import { redactLoggedUrl } from './logged-url';
import { HttpDrain } from './http-drain.service';
import { InteractiveRedis } from './interactive-redis.service';
import { QueuesService } from './queues.service';
import { WorkerRunner } from './worker-runner.service';

/** The logged request without one-time link tokens or other secrets in its URL, query or referrer. */
function redactRequest(req: { url?: string; query?: unknown; headers?: Record<string, unknown> }) {
  // A calendar feed's URL is its credential; one-time link tokens and keys in a query are redacted too.
  if (typeof req.url === 'string') req.url = redactLoggedUrl(req.url);
  req.query = redactQuery(req.query);
  const referer = req.headers?.referer;
  if (req.headers && typeof referer === 'string') req.headers = { ...req.headers, referer: redactUrl(referer) };
  return req;
}

/** The request id (Fastify's `genReqId`): the caller's `x-request-id` if it looks like one, else a new UUID; echoed in the answer (bootstrap). */
export function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

/** Whether request lines (logged at info) are written at all. */
function logsRequests(level: AppConfig['LOG_LEVEL']): boolean {
  return level !== 'silent' && pino.levels.values[level] <= pino.levels.values.info;
}

/**
 * Logging. At info and below, pino-http logs one line per answered request and binds
 * the request (id, method, URL, redacted headers) to every log line written while
 * it runs. Above info nobody reads request lines, yet pino-http and nestjs-pino's
 * per-request context would still cost on every request: serialising it into a
 * child logger, listening for its end, and an AsyncLocalStorage that makes every
 * promise of the process pay. Then only the request id is kept (the header), and
 * warnings and errors are logged without it.
 */
function logging(level: AppConfig['LOG_LEVEL']): Params {
  if (!logsRequests(level)) return { pinoHttp: { level }, forRoutes: [] };
  return {
    pinoHttp: {
      level,
      // Fastify's request id (see requestIdOf), which @fastify/middie copies to the raw request.
      genReqId: (req) => (req as IncomingMessage & { id: string }).id,
      redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
      serializers: { req: redactRequest },
      autoLogging: { ignore: (req) => req.url?.startsWith('/static/') ?? false },
    },
  };
}

/** What every role needs: configuration, logging, PostgreSQL, Redis (queues, and a fail-fast connection for requests), the HTTP drain, the clock; global so every module can queue work. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(logging(config.LOG_LEVEL)),
        TypeOrmModule.forRoot(dataSourceOptions(config)),
        TerminusModule,
      ],
      controllers: [HealthController],
      providers: [Clock, QueuesService, WorkerRunner, InteractiveRedis, HttpDrain],
      exports: [Clock, QueuesService, WorkerRunner, InteractiveRedis, HttpDrain],
    };
  }
}
