import { nextPaymentStatus } from './payment-state';

describe('nextPaymentStatus', () => {
  it.each([
    ['created', 'pending', 'started'],
    ['started', 'pending', null],
    ['started', 'succeeded', 'succeeded'],
    ['started', 'failed', 'failed'],
    ['started', 'cancelled', 'cancelled'],
    ['started', 'expired', 'expired'],
    ['created', 'expired', 'expired'],
    ['succeeded', 'succeeded', null],
    ['succeeded', 'failed', null],
    ['failed', 'cancelled', null],
    ['expired', 'pending', null],
    // The bank took the money after the portal expired the payment: recorded all the same.
    ['expired', 'succeeded', 'succeeded'],
    ['cancelled', 'succeeded', 'succeeded'],
  ] as const)('%s + bank says %s → %s', (current, outcome, next) => {
    expect(nextPaymentStatus(current, outcome)).toBe(next);
  });
});
