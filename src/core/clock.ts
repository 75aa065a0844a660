import { Injectable } from '@nestjs/common';

/**
 * The current time as a provider, for rules that depend on it (session expiry):
 * tests move it forward instead of waiting.
 */
@Injectable()
export class Clock {
  now(): number {
    return Date.now();
  }
}
