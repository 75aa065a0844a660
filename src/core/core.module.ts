import { randomUUID } from 'node:crypto';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/configuration';
import { redactQuery, redactUrl } from '../../libs/logging/redact-url';
import { dataSourceOptions } from '../../config/data-source-options';
import { Clock } from './clock';
import { ConfigModule } from './config.module';
import { HealthController } from './health.controller';
import { HttpDrain } from './http-drain.service';
import { InteractiveRedis } from './interactive-redis.service';
import { QueuesService } from './queues.service';
import { WorkerRunner } from './worker-runner.service';

/** The logged request without one-time link tokens or other secrets in its URL, query or referrer. */
function redactRequest(req: { url?: string; query?: unknown; headers?: Record<string, unknown> }) {
  if (typeof req.url === 'string') req.url = redactUrl(req.url);
  req.query = redactQuery(req.query);
  const referer = req.headers?.referer;
  if (req.headers && typeof referer === 'string') req.headers = { ...req.headers, referer: redactUrl(referer) };
  return req;
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
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            genReqId: (req, res) => {
              const incoming = req.headers['x-request-id'];
              const id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
              res.setHeader('x-request-id', id);
              return id;
            },
            redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
            serializers: { req: redactRequest },
            autoLogging: { ignore: (req) => req.url?.startsWith('/static/') ?? false },
          },
        }),
        TypeOrmModule.forRoot(dataSourceOptions(config)),
        TerminusModule,
      ],
      controllers: [HealthController],
      providers: [Clock, QueuesService, WorkerRunner, InteractiveRedis, HttpDrain],
      exports: [Clock, QueuesService, WorkerRunner, InteractiveRedis, HttpDrain],
    };
  }
}
