import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import pino, { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig } from '../../config/configuration';
import { dataSourceOptions } from '../../config/data-source-options';
import { formatDate, formatMoney } from '../web/format';
import { DEMO_CLERK_TOTP_SECRET, DemoCompany, MINTA, peldaCompany, registrationInvoice } from './demo-data';
import { todayInHungary } from '../web/format';
import { DemoLoadCounts, PasswordHasher, SchemaMissingError, runDemoLoad } from './demo-loader';
import { LOAD_COMPANY, MAX_SYNTHETIC_CUSTOMERS, SyntheticLoadResult, loadSyntheticCustomers } from './synthetic-loader';

const USAGE = `Usage: npm run demo:load -- [--customers N]
       node dist/src/demo/load-demo.js [--customers N]

Loads the demo companies (Minta cég, Példa Víziközmű) with their customers,
invoices, debts, readings and logins. Running it again changes nothing.

  --customers N   also make N synthetic customers (LD000001..) of
                  "${LOAD_COMPANY.name}" exist, each with 24 months of
                  invoices, debts and readings; only missing ones are added
                  (default 0, at most ${MAX_SYNTHETIC_CUSTOMERS})
  -h, --help      show this text
`;

export class UsageError extends Error {}

export interface CliOptions {
  customers: number;
  help: boolean;
}

export function parseCliArgs(argv: string[]): CliOptions {
  let values: { customers?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { customers: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const customers = values.customers === undefined ? 0 : Number(values.customers);
  if (values.customers !== undefined && (!/^\d+$/.test(values.customers) || customers > MAX_SYNTHETIC_CUSTOMERS)) {
    throw new UsageError(`--customers must be a whole number from 0 to ${MAX_SYNTHETIC_CUSTOMERS}, got "${values.customers}"`);
  }
  return { customers, help: values.help ?? false };
}

function grouped(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function demoSummary(counts: DemoLoadCounts, pelda: DemoCompany): string {
  const customer = MINTA.customers[0];
  const registration = registrationInvoice(pelda);
  const lines = [
    `Demo data loaded: ${counts.companies} companies, ${counts.customers} customers, ${counts.invoices} invoices, ` +
      `${counts.debtItems} debt items, ${counts.readings} readings, ${counts.clerks} clerks, ${counts.messages} messages.`,
    '',
    'Demo logins',
    `  Customer portal: company ${MINTA.name} (${MINTA.code}), customer code ${customer.code}, ` +
      `e-mail ${customer.account?.loginEmail}, password ${customer.account?.password}`,
    `  Back office of ${MINTA.name} (${MINTA.code}):`,
    ...MINTA.clerks.map(
      (clerk) =>
        `    ${clerk.role.padEnd(10)} ${clerk.email.padEnd(28)} password ${clerk.password}, ` +
        (clerk.totpSecret ? 'second factor below' : 'enrols a second factor at the first login'),
    ),
    `  Second factor of the demo clerk and supervisor: add the key ${DEMO_CLERK_TOTP_SECRET.match(/.{4}/g)?.join(' ')}`,
    '  to an authenticator app (time-based, 6 digits) and type its code after the password.',
    '',
    'Registration demo (no portal account yet)',
    `  Company ${pelda.name} (${pelda.code}), customer code ${registration.customerCode}, ` +
      `invoice number ${registration.invoice.invoiceNumber}, gross amount ${formatMoney(registration.invoice.grossTotal)} ` +
      `(issued ${formatDate(registration.invoice.issuedOn)})`,
  ];
  return `${lines.join('\n')}\n`;
}

function syntheticSummary(result: SyntheticLoadResult): string {
  if (result.created === 0) {
    return `\nSynthetic load (${LOAD_COMPANY.name}): all ${grouped(result.requested)} customers were already there (checked in ${result.seconds.toFixed(1)} s)\n`;
  }
  const seconds = Math.max(result.seconds, 0.001);
  return (
    `\nSynthetic load (${LOAD_COMPANY.name}): ${grouped(result.requested)} customers wanted, ${grouped(result.created)} added, ` +
    `${grouped(result.rows)} rows in ${result.seconds.toFixed(1)} s ` +
    `(${grouped(result.created / seconds)} customers/s, ${grouped(result.rows / seconds)} rows/s)\n`
  );
}

async function loadSynthetic(dataSource: DataSource, customers: number, today: string, logger: Logger): Promise<SyntheticLoadResult> {
  // A bar for a person at a terminal; structured lines for logs and CI.
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: 'Synthetic customers [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}', hideCursor: true })
    : undefined;
  bar?.start(customers, 0);
  const started = Date.now();
  try {
    return await loadSyntheticCustomers(dataSource, {
      customers,
      today,
      onProgress: (progress) => {
        if (bar) bar.update(progress.done);
        else logger.info({ ...progress, elapsedSeconds: (Date.now() - started) / 1000 }, 'synthetic load progress');
      },
    });
  } finally {
    bar?.stop();
  }
}

async function main(argv: string[]): Promise<number> {
  let options: CliOptions;
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig();
  const logger = pino({ level: config.LOG_LEVEL, name: 'demo-load' }, pino.destination(2));
  // The loaders speak plain SQL, so no entity metadata is needed.
  const dataSource = new DataSource({ ...dataSourceOptions(config), entities: [] });
  await dataSource.initialize();
  try {
    const today = todayInHungary();
    logger.info({ today }, 'loading demo data');
    const counts = await runDemoLoad(dataSource, { today, hasher: new PasswordHasher(), totpEncryptionKeys: config.TOTP_ENCRYPTION_KEYS });
    const result = options.customers > 0 ? await loadSynthetic(dataSource, options.customers, today, logger) : undefined;
    if (result) logger.info({ ...result }, 'synthetic load finished');
    process.stdout.write(demoSummary(counts, peldaCompany(today)));
    if (result) process.stdout.write(syntheticSummary(result));
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const known = error instanceof SchemaMissingError || error instanceof ConfigError;
      const database = (error as { code?: string }).code === '3D000';
      process.stderr.write(
        known || database
          ? `demo:load: ${(error as Error).message}${database ? ' (create it with scripts/setup.sh, then run `npm run migration:run`)' : ''}\n`
          : `demo:load failed: ${(error as Error).stack ?? String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
