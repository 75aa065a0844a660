import { randomUUID } from 'node:crypto';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/configuration';
import { dataSourceOptions } from '../../config/data-source-options';
import { ConfigModule } from './config.module';
import { HealthController } from './health.controller';
import { QueuesService } from './queues.service';
import { WorkerRunner } from './worker-runner.service';

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
            redact: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'],
            // A calendar feed's URL is its credential: it must not reach the logs.
            serializers: {
              req: (req: { url?: string; params?: unknown }) =>
                req.url?.startsWith('/calendar/') ? { ...req, url: '/calendar/[redacted]', params: undefined } : req,
            },
            autoLogging: { ignore: (req) => req.url?.startsWith('/static/') ?? false },
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
