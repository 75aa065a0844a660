import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, SimplePayAccountConfig } from '../../../config/configuration';
import { APP_CONFIG } from '../../core/config.module';
import {
  GatewayError,
  GatewayStart,
  GatewayStarted,
  GatewayState,
  GatewayMessage,
  PaymentGateway,
  VerifiedNotification,
} from '../payment-gateway';
import {
  decodeBackUnverified,
  hasValidSignature,
  ipnAcknowledgement,
  newSalt,
  outcomeOfStatus,
  parseIpn,
  SIMPLEPAY_API,
  SIMPLEPAY_SDK_VERSION,
  simplePayDate,
  simplePaySignature,
} from './simplepay-protocol';

const REQUEST_TIMEOUT_MS = 15_000;

interface Account extends SimplePayAccountConfig {
  companyCode: string;
  baseUrl: string;
}

/** The base URL of an account's API: SimplePay's sandbox, live, or a compatible server (the local sandbox). */
export function simplePayBaseUrl(api: SimplePayAccountConfig['api']): string {
  return api === 'sandbox' || api === 'live' ? SIMPLEPAY_API[api] : api.replace(/\/$/, '');
}

/** The origins the browser is sent to for the card page (the CSP's form-action must allow them). */
export function simplePayOrigins(config: Pick<AppConfig, 'SIMPLEPAY_ACCOUNTS'>): string[] {
  return [...new Set(Object.values(config.SIMPLEPAY_ACCOUNTS).map((account) => new URL(simplePayBaseUrl(account.api)).origin))];
}

/**
 * The OTP SimplePay v2 adapter. The merchant id and secret key come per company from
 * SIMPLEPAY_ACCOUNTS; the key signs and verifies and is never logged or returned.
 */
@Injectable()
export class SimplePayGateway implements PaymentGateway {
  private readonly byCompany = new Map<string, Account>();
  private readonly byMerchant = new Map<string, Account>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    for (const [companyCode, settings] of Object.entries(config.SIMPLEPAY_ACCOUNTS)) {
      const account = { ...settings, companyCode, baseUrl: simplePayBaseUrl(settings.api) };
      this.byCompany.set(companyCode, account);
      this.byMerchant.set(settings.merchant, account);
    }
  }

  isConfigured(companyCode: string): boolean {
    return this.byCompany.has(companyCode);
  }

  async start(input: GatewayStart): Promise<GatewayStarted> {
    const account = this.account(input.companyCode);
    const answer = await this.call(account, '/v2/start', {
      salt: newSalt(),
      merchant: account.merchant,
      orderRef: input.orderRef,
      currency: input.currency,
      customerEmail: input.customerEmail,
      language: input.language.toUpperCase(),
      sdkVersion: SIMPLEPAY_SDK_VERSION,
      methods: ['CARD'],
      total: String(input.amount),
      timeout: simplePayDate(input.expiresAt),
      url: input.returnUrl,
      items: input.items.map((item) => ({ ref: item.ref, title: item.title, amount: 1, price: item.amount, tax: 0 })),
    });
    const paymentUrl = answer.paymentUrl;
    const transactionId = answer.transactionId;
    if (
      typeof paymentUrl !== 'string' ||
      !/^https?:\/\//.test(paymentUrl) ||
      (typeof transactionId !== 'number' && typeof transactionId !== 'string')
    ) {
      throw new GatewayError('SimplePay start answered without paymentUrl or transactionId');
    }
    if (answer.orderRef !== input.orderRef) throw new GatewayError('SimplePay start answered for another order');
    return { redirectUrl: paymentUrl, transactionId: String(transactionId) };
  }

  verifyReturn(query: Record<string, unknown>): GatewayMessage | null {
    if (typeof query.r !== 'string' || typeof query.s !== 'string') return null;
    const decoded = decodeBackUnverified(query.r);
    const account = decoded ? this.byMerchant.get(decoded.payload.m) : undefined;
    if (!decoded || !account || !hasValidSignature(account.secretKey, decoded.json, query.s)) return null;
    return { companyCode: account.companyCode, orderRef: decoded.payload.o, transactionId: String(decoded.payload.t) };
  }

  verifyNotification(
    rawBody: Buffer,
    headers: Record<string, string | string[] | undefined>,
    receivedAt: Date,
  ): VerifiedNotification | null {
    const body = rawBody.toString('utf8');
    const ipn = parseIpn(body);
    const account = ipn ? this.byMerchant.get(ipn.merchant) : undefined;
    const signature = headers.signature;
    if (!ipn || !account || !hasValidSignature(account.secretKey, body, typeof signature === 'string' ? signature : undefined)) return null;
    const ack = ipnAcknowledgement(account.secretKey, body, receivedAt);
    return {
      companyCode: account.companyCode,
      orderRef: ipn.orderRef,
      transactionId: String(ipn.transactionId),
      acknowledgement: { body: ack.body, headers: { 'Content-Type': 'application/json', Signature: ack.signature } },
    };
  }

  async query(companyCode: string, orderRef: string): Promise<GatewayState | null> {
    const account = this.account(companyCode);
    const answer = await this.call(account, '/v2/query', {
      salt: newSalt(),
      merchant: account.merchant,
      orderRefs: [orderRef],
      detailed: true,
      sdkVersion: SIMPLEPAY_SDK_VERSION,
    });
    const transactions = Array.isArray(answer.transactions) ? (answer.transactions as Array<Record<string, unknown>>) : [];
    const found = transactions.find((transaction) => transaction.orderRef === orderRef);
    if (!found || typeof found.status !== 'string') return null;
    const total = found.total === undefined ? null : Number(found.total);
    return {
      orderRef,
      transactionId: String(found.transactionId),
      outcome: outcomeOfStatus(found.status),
      bankStatus: found.status,
      amount: total !== null && Number.isFinite(total) ? Math.round(total) : null,
      currency: typeof found.currency === 'string' ? found.currency : null,
    };
  }

  private account(companyCode: string): Account {
    const account = this.byCompany.get(companyCode);
    if (!account) throw new GatewayError(`No SimplePay account for company ${companyCode}`);
    return account;
  }

  /** One signed API call; the answer's signature must hold too. SimplePay answers errors with HTTP 200 and errorCodes. */
  private async call(account: Account, path: string, message: Record<string, unknown>): Promise<Record<string, unknown>> {
    const body = JSON.stringify(message);
    let response: Response;
    try {
      response = await fetch(`${account.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Signature: simplePaySignature(account.secretKey, body) },
        body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new GatewayError(`SimplePay ${path} unreachable: ${(error as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) throw new GatewayError(`SimplePay ${path} answered HTTP ${response.status}`);
    let answer: Record<string, unknown>;
    try {
      answer = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new GatewayError(`SimplePay ${path} answered something other than JSON`);
    }
    if (Array.isArray(answer.errorCodes)) throw new GatewayError(`SimplePay ${path} refused: error codes ${answer.errorCodes.join(', ')}`);
    if (!hasValidSignature(account.secretKey, text, response.headers.get('signature'))) {
      throw new GatewayError(`SimplePay ${path} answer has no valid signature`);
    }
    return answer;
  }
}
