import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { encodeBack, hasValidSignature, newSalt, simplePayDate, simplePaySignature } from '../simplepay/simplepay-protocol';

/** How the sandbox's card page ends a payment. */
export type SandboxOutcome = 'succeed' | 'fail' | 'cancel' | 'timeout';
/**
 * When the sandbox sends its IPN after a successful payment:
 * - after-return: just after sending the browser back (the usual order)
 * - before-return: delivered before the browser is sent back
 * - late: `lateMs` after the browser is sent back
 * - twice: two IPNs, one after the other
 * - ten-at-once: ten identical IPNs at the same moment
 * - out-of-order: the IPN goes out while the bank's query still says INPAYMENT; the
 *   query says FINISHED only `lateMs` later
 * - never: no IPN at all (the portal's reconciler must find the payment)
 */
export type SandboxIpn = 'after-return' | 'before-return' | 'late' | 'twice' | 'ten-at-once' | 'out-of-order' | 'never';

export interface SandboxBehaviour {
  outcome: SandboxOutcome;
  ipn: SandboxIpn;
  lateMs: number;
  /** Report another total than the one started (a bank-side mismatch, for the flagged path). */
  paidTotal: number | null;
  paidCurrency: string | null;
}

export interface SandboxMerchant {
  secretKey: string;
  /** Where IPNs go (SimplePay takes it from the merchant's settings, not from the start request). */
  ipnUrl?: string;
}

interface Transaction {
  transactionId: number;
  merchant: string;
  orderRef: string;
  total: number;
  currency: string;
  returnUrl: string;
  timeout: Date;
  status: string;
  paymentDate: string | null;
  finishDate: string | null;
}

export interface IpnDelivery {
  orderRef: string;
  httpStatus: number;
  /** The portal answered with the IPN echoed, receiveDate added, correctly signed. */
  acknowledged: boolean;
}

const DEFAULT_BEHAVIOUR: SandboxBehaviour = { outcome: 'succeed', ipn: 'after-return', lateMs: 1_000, paidTotal: null, paidCurrency: null };
const MAX_BODY = 64 * 1024;

/**
 * A local stand-in for OTP SimplePay v2: the start and query API (signed both ways with
 * the merchant's key), a phone-sized card page, the signed browser return and the IPN,
 * with switchable behaviour for demos and tests. It holds its transactions in memory.
 * Control it in code (`setBehaviour`, `pay`) or over HTTP (`POST /sandbox/behaviour`).
 * Card numbers ending in 0002 are declined whatever the behaviour says.
 */
export class SimplePaySandbox {
  readonly transactions = new Map<number, Transaction>();
  private readonly byOrderRef = new Map<string, Transaction>();
  readonly ipnDeliveries: IpnDelivery[] = [];
  private behaviour: SandboxBehaviour = { ...DEFAULT_BEHAVIOUR };
  private readonly pending = new Set<Promise<unknown>>();
  /** Scheduled IPNs, each with what ends its wait when the sandbox closes first. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private nextTransactionId = 500_000_000 + Math.floor(Math.random() * 1_000_000) * 100;
  private server: Server | undefined;
  private baseUrl = '';

  constructor(private readonly merchants: Record<string, SandboxMerchant>) {}

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: Error) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(error.message);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    this.baseUrl = `http://${host}:${(this.server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  /** The API base URL to configure in the portal (SIMPLEPAY_ACCOUNTS api). */
  get apiUrl(): string {
    return `${this.baseUrl}/payment`;
  }

  async close(): Promise<void> {
    for (const [timer, cancel] of this.timers) {
      clearTimeout(timer);
      cancel();
    }
    this.timers.clear();
    await this.idle();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  setBehaviour(change: Partial<SandboxBehaviour>): void {
    this.behaviour = { ...this.behaviour, ...change };
  }

  resetBehaviour(): void {
    this.behaviour = { ...DEFAULT_BEHAVIOUR };
  }

  setIpnUrl(merchant: string, ipnUrl: string): void {
    this.merchants[merchant] = { ...this.merchants[merchant], ipnUrl };
  }

  /** Waits until every IPN sent so far has been answered (late ones included). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  transactionOf(orderRef: string): Transaction | undefined {
    return this.byOrderRef.get(orderRef);
  }

  /**
   * Does what the card page's buttons do, for tests: ends the payment as the behaviour
   * (or `outcome`) says, sends the IPN as configured, and returns the URL the browser is sent back to.
   */
  async pay(orderRef: string, outcome: SandboxOutcome = this.behaviour.outcome): Promise<string> {
    const transaction = this.transactionOf(orderRef);
    if (!transaction) throw new Error(`The sandbox knows no order ${orderRef}`);
    return this.finish(transaction, outcome);
  }

  /** Sends the IPN of a transaction now, `times` times at once (for tests of concurrency). */
  async sendIpn(orderRef: string, times = 1): Promise<IpnDelivery[]> {
    const transaction = this.transactionOf(orderRef);
    if (!transaction) throw new Error(`The sandbox knows no order ${orderRef}`);
    return Promise.all(Array.from({ length: times }, () => this.track(this.deliverIpn(transaction))));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    if (req.method === 'POST' && url.pathname === '/payment/v2/start') return this.apiStart(req, res);
    if (req.method === 'POST' && url.pathname === '/payment/v2/query') return this.apiQuery(req, res);
    const pay = /^\/pay\/(\d+)$/.exec(url.pathname);
    if (pay && req.method === 'GET') return this.cardPage(res, Number(pay[1]));
    if (pay && req.method === 'POST') return this.cardSubmit(req, res, Number(pay[1]));
    if (url.pathname === '/sandbox/behaviour' && req.method === 'POST') {
      const change = JSON.parse(await readBody(req)) as Partial<SandboxBehaviour>;
      this.setBehaviour(change);
      return this.json(res, 200, this.behaviour);
    }
    if (url.pathname === '/sandbox/behaviour' && req.method === 'GET') return this.json(res, 200, this.behaviour);
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
  }

  private async apiStart(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const message = this.verified(body, req.headers.signature);
    if (!message) return this.json(res, 200, { errorCodes: [5000] });
    const { merchant, orderRef, currency, total, url, timeout } = message as Record<string, string>;
    if (!orderRef || !url || !currency || !(Number(total) > 0)) return this.signed(res, merchant, { errorCodes: [5013] });
    if (this.transactionOf(orderRef)) return this.signed(res, merchant, { errorCodes: [5201] });
    this.nextTransactionId += 1;
    const transaction: Transaction = {
      transactionId: this.nextTransactionId,
      merchant,
      orderRef,
      total: Number(total),
      currency,
      returnUrl: url,
      timeout: timeout ? new Date(timeout) : new Date(Date.now() + 30 * 60_000),
      status: 'INIT',
      paymentDate: null,
      finishDate: null,
    };
    this.transactions.set(transaction.transactionId, transaction);
    this.byOrderRef.set(orderRef, transaction);
    return this.signed(res, merchant, {
      salt: newSalt(),
      merchant,
      orderRef,
      currency,
      transactionId: transaction.transactionId,
      timeout: simplePayDate(transaction.timeout),
      total: transaction.total,
      paymentUrl: `${this.baseUrl}/pay/${transaction.transactionId}`,
    });
  }

  private async apiQuery(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const message = this.verified(body, req.headers.signature);
    if (!message) return this.json(res, 200, { errorCodes: [5000] });
    const merchant = String(message.merchant);
    const orderRefs = Array.isArray(message.orderRefs) ? (message.orderRefs as unknown[]) : [];
    const transactionIds = Array.isArray(message.transactionIds) ? (message.transactionIds as unknown[]).map(Number) : [];
    const found = [
      ...new Set([...orderRefs.map((ref) => this.byOrderRef.get(String(ref))), ...transactionIds.map((id) => this.transactions.get(id))]),
    ].filter((t): t is Transaction => t !== undefined && t.merchant === merchant);
    const transactions = found.map((t) => {
      if (t.status === 'INIT' && t.timeout.getTime() < Date.now()) t.status = 'TIMEOUT';
      return {
        salt: newSalt(),
        merchant,
        orderRef: t.orderRef,
        transactionId: t.transactionId,
        status: t.status,
        method: 'CARD',
        total: t.status === 'FINISHED' ? (this.behaviour.paidTotal ?? t.total) : t.total,
        currency: t.status === 'FINISHED' ? (this.behaviour.paidCurrency ?? t.currency) : t.currency,
        ...(t.paymentDate ? { paymentDate: t.paymentDate } : {}),
        ...(t.finishDate ? { finishDate: t.finishDate } : {}),
      };
    });
    return this.signed(res, merchant, { salt: newSalt(), merchant, transactions, totalCount: transactions.length });
  }

  private cardPage(res: ServerResponse, transactionId: number): void {
    const t = this.transactions.get(transactionId);
    if (!t) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Unknown transaction');
    const amount = `${new Intl.NumberFormat('hu-HU').format(t.total).replace(/\u00a0/g, ' ')} ${t.currency === 'HUF' ? 'Ft' : t.currency}`;
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(cardPageHtml(t.transactionId, escapeHtml(amount), escapeHtml(t.orderRef), t.status === 'INIT'));
  }

  private async cardSubmit(req: IncomingMessage, res: ServerResponse, transactionId: number): Promise<void> {
    const t = this.transactions.get(transactionId);
    if (!t) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Unknown transaction');
    const form = new URLSearchParams(await readBody(req));
    const declined = (form.get('cardNumber') ?? '').replace(/\D/g, '').endsWith('0002');
    const outcome: SandboxOutcome = form.get('action') === 'cancel' ? 'cancel' : declined ? 'fail' : this.behaviour.outcome;
    const back = await this.finish(t, outcome);
    res.writeHead(303, { Location: back }).end();
  }

  private async finish(t: Transaction, outcome: SandboxOutcome): Promise<string> {
    if (t.status !== 'INIT') throw new Error(`Transaction ${t.transactionId} is already ${t.status}`);
    const now = simplePayDate(new Date());
    const event = { succeed: 'SUCCESS', fail: 'FAIL', cancel: 'CANCEL', timeout: 'TIMEOUT' }[outcome];
    t.status = { succeed: 'FINISHED', fail: 'NOTAUTHORIZED', cancel: 'CANCELLED', timeout: 'TIMEOUT' }[outcome];
    if (outcome === 'succeed') {
      t.paymentDate = now;
      t.finishDate = now;
    }
    const { r, s } = encodeBack(this.merchants[t.merchant].secretKey, {
      r: outcome === 'succeed' ? 0 : 1,
      t: t.transactionId,
      e: event,
      m: t.merchant,
      o: t.orderRef,
    });
    const back = `${t.returnUrl}${t.returnUrl.includes('?') ? '&' : '?'}r=${encodeURIComponent(r)}&s=${encodeURIComponent(s)}`;
    if (outcome === 'succeed') await this.scheduleIpns(t);
    return back;
  }

  private async scheduleIpns(t: Transaction): Promise<void> {
    const { ipn, lateMs } = this.behaviour;
    const later = (ms: number, send: () => Promise<unknown>) => {
      const done = new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          void send().finally(resolve);
        }, ms);
        this.timers.set(timer, resolve);
      });
      void this.track(done);
    };
    switch (ipn) {
      case 'never':
        return;
      case 'before-return':
        await this.track(this.deliverIpn(t));
        return;
      case 'after-return':
        return later(50, () => this.deliverIpn(t));
      case 'late':
        return later(lateMs, () => this.deliverIpn(t));
      case 'twice':
        return later(50, async () => {
          await this.deliverIpn(t);
          await this.deliverIpn(t);
        });
      case 'ten-at-once':
        return later(50, () => Promise.all(Array.from({ length: 10 }, () => this.deliverIpn(t))));
      case 'out-of-order':
        t.status = 'INPAYMENT';
        await this.track(this.deliverIpn(t, 'FINISHED'));
        later(lateMs, async () => {
          t.status = 'FINISHED';
        });
        return;
    }
  }

  private async deliverIpn(t: Transaction, status = t.status): Promise<IpnDelivery> {
    const merchant = this.merchants[t.merchant];
    if (!merchant.ipnUrl) throw new Error(`No IPN URL for merchant ${t.merchant}`);
    const body = JSON.stringify({
      salt: newSalt(),
      orderRef: t.orderRef,
      method: 'CARD',
      merchant: t.merchant,
      finishDate: t.finishDate,
      paymentDate: t.paymentDate,
      transactionId: t.transactionId,
      status,
    });
    let delivery: IpnDelivery;
    try {
      const response = await fetch(merchant.ipnUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Signature: simplePaySignature(merchant.secretKey, body) },
        body,
      });
      const text = await response.text();
      let echoed = false;
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        echoed = parsed.orderRef === t.orderRef && typeof parsed.receiveDate === 'string';
      } catch {
        echoed = false;
      }
      const acknowledged = response.ok && echoed && hasValidSignature(merchant.secretKey, text, response.headers.get('signature'));
      delivery = { orderRef: t.orderRef, httpStatus: response.status, acknowledged };
    } catch {
      delivery = { orderRef: t.orderRef, httpStatus: 0, acknowledged: false };
    }
    this.ipnDeliveries.push(delivery);
    return delivery;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise)).catch(() => undefined);
    return promise;
  }

  private verified(body: string, signature: string | string[] | undefined): Record<string, unknown> | null {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(body) as Record<string, unknown>;
    } catch {
      return null;
    }
    const merchant = this.merchants[String(message.merchant)];
    if (!merchant || !hasValidSignature(merchant.secretKey, body, typeof signature === 'string' ? signature : undefined)) return null;
    return message;
  }

  private signed(res: ServerResponse, merchant: string, answer: Record<string, unknown>): void {
    const text = JSON.stringify(answer);
    res.writeHead(200, { 'Content-Type': 'application/json', Signature: simplePaySignature(this.merchants[merchant].secretKey, text) });
    res.end(text);
  }

  private json(res: ServerResponse, status: number, answer: unknown): void {
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('Body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The card page: one column, large targets, labelled fields, readable at 320 px. */
function cardPageHtml(transactionId: number, amount: string, orderRef: string, open: boolean): string {
  const form = open
    ? `<form method="post" action="/pay/${transactionId}">
  <label for="cardNumber">Kártyaszám</label>
  <input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" value="4908 3660 9990 0425" required>
  <div class="row">
    <div><label for="expiry">Lejárat (HH/ÉÉ)</label><input id="expiry" name="expiry" autocomplete="cc-exp" value="10/29" required></div>
    <div><label for="cvc">CVC</label><input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" value="579" required></div>
  </div>
  <label for="holder">Kártyabirtokos neve</label>
  <input id="holder" name="holder" autocomplete="cc-name" value="Teszt Kártya">
  <button type="submit" name="action" value="pay">Fizetés: ${amount}</button>
  <button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Mégsem</button>
</form>`
    : `<p role="status">Ez a fizetés már lezárult.</p>`;
  return `<!doctype html>
<html lang="hu">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>SimplePay sandbox – bankkártyás fizetés</title>
<link rel="icon" href="data:,">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f2f4f7; color: #1b1f24; }
  main { max-width: 26rem; margin: 0 auto; padding: 1rem; }
  .card { background: #fff; border-radius: .5rem; padding: 1rem; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
  h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
  .amount { font-size: 1.75rem; font-weight: 700; margin: .5rem 0 1rem; }
  label { display: block; font-weight: 600; margin-top: .75rem; }
  input { box-sizing: border-box; width: 100%; font: inherit; padding: .6rem; border: 1px solid #6b7280; border-radius: .25rem; }
  input:focus, button:focus { outline: 3px solid #1d4ed8; outline-offset: 2px; }
  .row { display: flex; gap: .75rem; } .row > div { flex: 1; }
  button { display: block; width: 100%; min-height: 3rem; margin-top: 1rem; font: inherit; font-weight: 700; border: 0; border-radius: .25rem; background: #1d4ed8; color: #fff; }
  button.secondary { background: #fff; color: #1d4ed8; border: 2px solid #1d4ed8; }
  .note { font-size: .875rem; color: #4b5563; }
</style>
</head>
<body>
<main>
  <p class="note">SimplePay sandbox (helyi tesztkörnyezet, valódi kártyaadatot ne adjon meg)</p>
  <div class="card">
    <h1>Bankkártyás fizetés</h1>
    <p class="amount">${amount}</p>
    <p class="note">Megrendelés: ${orderRef}</p>
    ${form}
  </div>
  <p class="note">0002-re végződő kártyaszám: elutasított fizetés.</p>
</main>
</body>
</html>`;
}
