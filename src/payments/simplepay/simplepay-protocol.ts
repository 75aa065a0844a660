import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { GatewayOutcome } from '../payment-state';

/**
 * OTP SimplePay v2, the parts the portal uses, from SimplePay's public documentation
 * and SDKs: every JSON message is signed with HMAC-SHA384 over its exact bytes with
 * the merchant's secret key, base64 in the `Signature` header; the browser comes back
 * with `r` (base64 of a small JSON) and `s` (its signature); an IPN is acknowledged by
 * echoing its JSON with `receiveDate` added, signed the same way.
 */
export const SIMPLEPAY_API = {
  sandbox: 'https://sandbox.simplepay.hu/payment',
  live: 'https://secure.simplepay.hu/payment',
} as const;

export const SIMPLEPAY_SDK_VERSION = 'Ugyfelportal_NodeJS_1.0';

/** base64(HMAC-SHA384(secretKey, body)). */
export function simplePaySignature(secretKey: string, body: string): string {
  return createHmac('sha384', secretKey.trim()).update(body, 'utf8').digest('base64');
}

/** Compares a received signature with the one the body should carry, in constant time. */
export function hasValidSignature(secretKey: string, body: string, received: string | undefined | null): boolean {
  if (typeof received !== 'string' || received.length === 0 || received.length > 200) return false;
  const expected = Buffer.from(simplePaySignature(secretKey, body), 'utf8');
  const given = Buffer.from(received.trim(), 'utf8');
  // timingSafeEqual needs equal lengths; comparing the expected value with itself keeps the time the same.
  return expected.length === given.length ? timingSafeEqual(expected, given) : !timingSafeEqual(expected, expected);
}

/** A fresh salt for a request (SimplePay wants 32 characters). */
export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

/** ISO 8601 with a numeric offset, as SimplePay writes and expects dates. */
export function simplePayDate(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

/** The decoded `r` of a browser return. */
export interface BackPayload {
  /** SimplePay's result code (0: no error). */
  r: number;
  /** transactionId */
  t: number | string;
  /** SUCCESS, FAIL, CANCEL or TIMEOUT. */
  e: string;
  /** merchant */
  m: string;
  /** orderRef */
  o: string;
}

/** The `r` and `s` query parameters of a browser return (what the bank, or the sandbox, sends). */
export function encodeBack(secretKey: string, payload: BackPayload): { r: string; s: string } {
  const json = JSON.stringify(payload);
  return { r: Buffer.from(json, 'utf8').toString('base64'), s: simplePaySignature(secretKey, json) };
}

/** Reads `r` without trusting it: the merchant in it picks the key its signature `s` is then checked with. */
export function decodeBackUnverified(r: string): { json: string; payload: BackPayload } | null {
  if (r.length > 4000) return null;
  const json = Buffer.from(r, 'base64').toString('utf8');
  try {
    const parsed = JSON.parse(json) as Partial<BackPayload>;
    if (typeof parsed !== 'object' || parsed === null) return null;
    if (typeof parsed.m !== 'string' || typeof parsed.o !== 'string' || typeof parsed.e !== 'string') return null;
    if (typeof parsed.t !== 'string' && typeof parsed.t !== 'number') return null;
    return { json, payload: { r: Number(parsed.r ?? 0), t: parsed.t, e: parsed.e, m: parsed.m, o: parsed.o } };
  } catch {
    return null;
  }
}

/** The IPN fields the portal reads. */
export interface IpnMessage {
  merchant: string;
  orderRef: string;
  transactionId: number | string;
  status: string;
}

export function parseIpn(body: string): IpnMessage | null {
  try {
    const parsed = JSON.parse(body) as Partial<IpnMessage>;
    if (typeof parsed !== 'object' || parsed === null) return null;
    if (typeof parsed.merchant !== 'string' || typeof parsed.orderRef !== 'string' || typeof parsed.status !== 'string') return null;
    if (typeof parsed.transactionId !== 'string' && typeof parsed.transactionId !== 'number') return null;
    return parsed as IpnMessage;
  } catch {
    return null;
  }
}

/** The acknowledgement of a verified IPN: its JSON with `receiveDate`, and the signature of exactly that text. */
export function ipnAcknowledgement(secretKey: string, body: string, receivedAt: Date): { body: string; signature: string } {
  const echoed = { ...(JSON.parse(body) as Record<string, unknown>), receiveDate: simplePayDate(receivedAt) };
  const text = JSON.stringify(echoed);
  return { body: text, signature: simplePaySignature(secretKey, text) };
}

/**
 * SimplePay's transaction statuses in the portal's words. One-step card payments end
 * FINISHED; REFUND is a FINISHED payment refunded later (the money was received).
 */
export function outcomeOfStatus(status: string): GatewayOutcome {
  switch (status) {
    case 'FINISHED':
    case 'REFUND':
      return 'succeeded';
    case 'NOTAUTHORIZED':
    case 'FRAUD':
      return 'failed';
    case 'CANCELLED':
    case 'REVERSED':
      return 'cancelled';
    case 'TIMEOUT':
      return 'expired';
    default:
      // INIT, INPAYMENT, INFRAUD, AUTHORIZED: not decided yet.
      return 'pending';
  }
}
