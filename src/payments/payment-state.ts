import { PaymentStatus } from './payment.entity';

/** What the bank says about a payment, in the portal's words (see each gateway's mapping). */
export type GatewayOutcome = 'pending' | 'succeeded' | 'failed' | 'cancelled' | 'expired';

export const FINAL_PAYMENT_STATUSES: readonly PaymentStatus[] = ['succeeded', 'failed', 'cancelled', 'expired'];

export function isFinal(status: PaymentStatus): boolean {
  return FINAL_PAYMENT_STATUSES.includes(status);
}

/**
 * The payment's next state given the bank's answer, or null when nothing changes.
 * created → started → succeeded | failed | cancelled | expired. Success is final.
 * Because the bank's state is the truth, money it reports as taken is recorded even
 * after the portal gave up on the payment (expired, failed or cancelled).
 */
export function nextPaymentStatus(current: PaymentStatus, outcome: GatewayOutcome): PaymentStatus | null {
  if (current === 'succeeded') return null;
  if (outcome === 'succeeded') return 'succeeded';
  if (isFinal(current)) return null;
  if (outcome === 'pending') return current === 'created' ? 'started' : null;
  return outcome;
}
