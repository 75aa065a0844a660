import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { HttpDrain } from './http-drain.service';
import { InteractiveRedis } from './interactive-redis.service';

/** For load balancers and orchestrators, not API clients: kept out of the OpenAPI contract. */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly redis: InteractiveRedis,
    private readonly drain: HttpDrain,
  ) {}

  @Get()
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  ready() {
    if (this.drain.draining) {
      throw new ServiceUnavailableException({ status: 'shutting_down', error: { process: { status: 'down', message: 'shutting down' } } });
    }
    return this.health.check([() => this.database.pingCheck('postgres', { timeout: 2_000 }), () => this.pingRedis()]);
  }

  /** On the fail-fast connection: an unreachable Redis is a 503 within REDIS_FAIL_FAST_MS, not a hang. */
  private async pingRedis() {
    const indicator = this.indicators.check('redis');
    try {
      await this.redis.client.ping();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}
