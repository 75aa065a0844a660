import { RunningApp } from './http-app';
import { Clock } from '../../src/core/clock';
import { QueuesService } from '../../src/core/queues.service';

/**
 * Moves time forward for the sessions of running apps instead of waiting: their Clock
 * (the absolute limit is checked against it) and the time to live of every session key
 * under the apps' Redis prefix (Redis times the idle expiry).
 */
export class SessionClock {
  private offset = 0;

  constructor(
    private readonly apps: RunningApp[],
    private readonly keyPrefix: string,
  ) {
    for (const app of apps) app.app.get(Clock).now = () => Date.now() + this.offset;
  }

  async advance(ms: number): Promise<void> {
    this.offset += ms;
    const redis = this.apps[0].app.get(QueuesService).connection;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.keyPrefix}session:*`, 'COUNT', 1000);
      for (const key of keys) {
        const left = await redis.pttl(key);
        if (left < 0) continue;
        if (left <= ms) await redis.del(key);
        else await redis.pexpire(key, left - ms);
      }
      cursor = next;
    } while (cursor !== '0');
  }
}
