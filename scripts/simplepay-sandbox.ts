/**
 * Runs the local SimplePay-compatible sandbox for the demo, with the merchant accounts
 * of SIMPLEPAY_ACCOUNTS that point at it. Its IPNs go to PUBLIC_URL.
 *   npx ts-node --transpile-only scripts/simplepay-sandbox.ts
 * Change its behaviour while it runs, e.g.:
 *   curl -X POST localhost:3090/sandbox/behaviour -d '{"outcome":"fail"}'
 */
import { loadConfig } from '../config/configuration';
import { SandboxMerchant, SimplePaySandbox } from '../src/payments/sandbox/simplepay-sandbox';
import { ipnUrl } from '../src/payments/payment-urls';

async function main(): Promise<void> {
  const config = loadConfig();
  const local = Object.values(config.SIMPLEPAY_ACCOUNTS).filter((account) => account.api.startsWith('http://'));
  if (local.length === 0) throw new Error('No SIMPLEPAY_ACCOUNTS entry points at a local sandbox (api: http://127.0.0.1:<port>/payment)');
  const port = Number(new URL(local[0].api).port);
  const merchants: Record<string, SandboxMerchant> = Object.fromEntries(
    local.map((account) => [account.merchant, { secretKey: account.secretKey, ipnUrl: ipnUrl(config.PUBLIC_URL) }]),
  );
  const sandbox = new SimplePaySandbox(merchants);
  const url = await sandbox.listen(port);
  process.stdout.write(`SimplePay sandbox at ${url} (merchants: ${Object.keys(merchants).join(', ')})\n`);
  const stop = () => void sandbox.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
