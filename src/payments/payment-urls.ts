/** Where the bank sends the browser back after the card page. */
export function returnUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/$/, '')}/payments/back`;
}

/** Where the bank posts its IPN (set in the merchant's settings at the bank). */
export function ipnUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/$/, '')}/api/v1/payment-gateways/simplepay/ipn`;
}

/** The portal's order references are UUIDs; anything else names no payment. */
export function isOrderRef(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
