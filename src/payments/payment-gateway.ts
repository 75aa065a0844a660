import { GatewayOutcome } from './payment-state';

/** What the portal asks the bank to collect. */
export interface GatewayStart {
  companyCode: string;
  /** The portal's order reference (the payment's order_ref). */
  orderRef: string;
  amount: number;
  currency: string;
  customerEmail: string;
  language: 'hu' | 'en';
  /** Where the bank sends the browser back. */
  returnUrl: string;
  /** The bank refuses the card page after this. */
  expiresAt: Date;
  items: Array<{ ref: string; title: string; amount: number }>;
}

export interface GatewayStarted {
  /** The bank's card page. */
  redirectUrl: string;
  /** The bank's transaction id. */
  transactionId: string;
}

/** A payment's state at the bank: the truth the portal records. */
export interface GatewayState {
  orderRef: string;
  transactionId: string;
  outcome: GatewayOutcome;
  /** The bank's own status word, kept for the clerk. */
  bankStatus: string;
  /** What the bank collected, when it says. */
  amount: number | null;
  currency: string | null;
}

/** A verified browser return or server notification: which payment to ask the bank about. */
export interface GatewayMessage {
  companyCode: string;
  orderRef: string;
  transactionId: string;
}

export interface VerifiedNotification extends GatewayMessage {
  /** The answer the bank expects (body and headers), sent once the payment is recorded. */
  acknowledgement: { body: string; headers: Record<string, string> };
}

export class GatewayError extends Error {}

/**
 * The payment gateway port: one per bank (OTP SimplePay first; Barion or K&H would be
 * other adapters). Nothing here decides a payment: a verified message only says which
 * payment to query, and the query's answer is recorded.
 */
export interface PaymentGateway {
  /** Whether the company has an account at this bank. */
  isConfigured(companyCode: string): boolean;
  start(input: GatewayStart): Promise<GatewayStarted>;
  /** The browser's return (query parameters), or null when its signature does not hold. */
  verifyReturn(query: Record<string, unknown>): GatewayMessage | null;
  /** A server notification (the exact raw body and the headers), or null when its signature does not hold. */
  verifyNotification(
    rawBody: Buffer,
    headers: Record<string, string | string[] | undefined>,
    receivedAt: Date,
  ): VerifiedNotification | null;
  /** The payment's state at the bank; null when the bank does not know the order. Throws GatewayError when the bank cannot be asked. */
  query(companyCode: string, orderRef: string): Promise<GatewayState | null>;
}

export const PAYMENT_GATEWAY = Symbol('PAYMENT_GATEWAY');
