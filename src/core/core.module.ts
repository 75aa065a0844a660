import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import type { Options } from 'pino-http';
import { AppConfig } from '../../config/configuration';
import { dataSourceOptions } from '../../config/data-source-options';
import { ConfigModule } from './config.module';
import { HealthController } from './health.controller';
import { QueuesService } from './queues.service';
import { WorkerRunner } from './worker-runner.service';

/**
 * One line per answered request is logged at info. Above info nobody reads those
 * lines, yet pino-http would still serialise and redact every request into a child
 * logger and listen for every answer's end: then requests are not logged, and the
 * child logger that errors of the request go through carries only id, method and URL.
 */
function requestLogging(level: AppConfig['LOG_LEVEL']): Options {
  if (level !== 'silent' && pino.levels.values[level] <= pino.levels.values.info) {
    return {
      redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
      autoLogging: { ignore: (req) => req.url?.startsWith('/static/') ?? false },
    };
  }
  return {
    autoLogging: false,
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage & { id?: unknown; originalUrl?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.originalUrl ?? req.url,
      }),
      err: pino.stdSerializers.err,
    },
  };
}

/** What every role needs: configuration, logging, PostgreSQL, Redis queues; global so every module can queue work. */
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
            ...requestLogging(config.LOG_LEVEL),
          },
        }),
        TypeOrmModule.forRoot(dataSourceOptions(config)),
        TerminusModule,
      ],
      controllers: [HealthController],
      providers: [QueuesService, WorkerRunner],
      exports: [QueuesService, WorkerRunner],
    };
  }
}
