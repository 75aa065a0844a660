import * as argon2 from 'argon2';
import { ARGON2_OPTIONS } from '../identity/password-hasher';
import { todayInHungary } from '../web/format';
import { DataSource, EntityManager } from 'typeorm';
import {
  DemoClerk,
  DemoCompany,
  DemoCustomer,
  DemoDebtItem,
  DemoInvoice,
  DemoMessage,
  DemoMeter,
  DemoReading,
  NotificationTopic,
  demoCompanies,
  monthEnd,
  monthStart,
} from './demo-data';
import { loadTotpEncryptionKeys } from '../../config/configuration';
import { clerkTotpContext, parseTotpKeyring, sealTotpSecret, TotpKeyring } from '../identity/totp-secret-box';
import { splitIntoLines, vatRateFor, vatSummary } from './invoice-lines';

type SqlValue = string | number | boolean | null;
type Row = Record<string, SqlValue>;

export { ARGON2_OPTIONS };

/** The tables the loaders write; if one is missing the database was not migrated. */
export const DEMO_TABLES = [
  'companies',
  'customers',
  'customer_accounts',
  'clerks',
  'service_points',
  'meters',
  'reading_windows',
  'readings',
  'invoices',
  'invoice_lines',
  'invoice_vat_summaries',
  'debt_items',
  'messages',
  'notification_preferences',
];

export class SchemaMissingError extends Error {}

/** Refuses to load into a database that has not been migrated. */
export async function assertSchema(manager: EntityManager): Promise<void> {
  const rows: Array<{ table_name: string }> = await manager.query(
    `SELECT t.name AS table_name FROM unnest($1::text[]) AS t(name) WHERE to_regclass('public.' || t.name) IS NULL`,
    [DEMO_TABLES],
  );
  if (rows.length > 0) {
    throw new SchemaMissingError(
      `The database schema is missing (no table ${rows.map((row) => row.table_name).join(', ')}). ` +
        'Run `npm run migration:run` first, then load the demo data again.',
    );
  }
}

/**
 * Hashes each distinct password once per run and keeps a stored hash that
 * already verifies with today's parameters, so re-running leaves the rows
 * unchanged and stays fast.
 */
export class PasswordHasher {
  private readonly hashes = new Map<string, Promise<string>>();
  private readonly verifications = new Map<string, Promise<boolean>>();
  /** How many new hashes this run computed (verifications not included). */
  computed = 0;

  async hashFor(password: string, stored: string | null): Promise<string> {
    if (stored !== null && !this.outdated(stored) && (await this.verifies(stored, password))) return stored;
    let hash = this.hashes.get(password);
    if (!hash) {
      this.computed += 1;
      hash = argon2.hash(password, ARGON2_OPTIONS);
      this.hashes.set(password, hash);
    }
    return hash;
  }

  private outdated(stored: string): boolean {
    try {
      return !stored.startsWith('$argon2id$') || argon2.needsRehash(stored, ARGON2_OPTIONS);
    } catch {
      return true;
    }
  }

  private verifies(stored: string, password: string): Promise<boolean> {
    const key = `${stored}\n${password}`;
    let result = this.verifications.get(key);
    if (!result) {
      // A malformed stored hash is simply replaced.
      result = argon2.verify(stored, password).catch(() => false);
      this.verifications.set(key, result);
    }
    return result;
  }
}

// Table and column names below are constants of this file, never input.

function placeholders(count: number, from = 1): string {
  return Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');
}

/** INSERT … ON CONFLICT (natural key) DO UPDATE, returning the row's id. */
async function upsertUnique(manager: EntityManager, table: string, conflict: string, row: Row, update: string[]): Promise<number> {
  const columns = Object.keys(row);
  const rows: Array<{ id: string }> = await manager.query(
    `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders(columns.length)})
     ON CONFLICT ${conflict} DO UPDATE SET ${update.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}
     RETURNING id`,
    Object.values(row),
  );
  return Number(rows[0].id);
}

/**
 * For rows without a unique constraint: updates the rows matching `key`, or
 * inserts one if there is none. Returns the (first) row's id.
 */
async function upsertByLookup(manager: EntityManager, table: string, key: Row, values: Row): Promise<number> {
  const params: SqlValue[] = [];
  const where = Object.entries(key).map(([column, value]) => {
    if (value === null) return `${column} IS NULL`;
    params.push(value);
    return `${column} = $${params.length}`;
  });
  const existing: Array<{ id: string }> = await manager.query(`SELECT id FROM ${table} WHERE ${where.join(' AND ')} ORDER BY id`, params);
  const valueColumns = Object.keys(values);
  if (existing.length > 0) {
    const ids = existing.map((row) => row.id);
    await manager.query(
      `UPDATE ${table} SET ${valueColumns.map((column, i) => `${column} = $${i + 2}`).join(', ')} WHERE id = ANY($1::bigint[])`,
      [ids, ...Object.values(values)],
    );
    return Number(ids[0]);
  }
  const row = { ...key, ...values };
  const inserted: Array<{ id: string }> = await manager.query(
    `INSERT INTO ${table} (${Object.keys(row).join(', ')}) VALUES (${placeholders(Object.keys(row).length)}) RETURNING id`,
    Object.values(row),
  );
  return Number(inserted[0].id);
}

export async function upsertCompany(manager: EntityManager, company: Pick<DemoCompany, 'code' | 'name'>): Promise<number> {
  return upsertUnique(manager, 'companies', '(code)', { code: company.code, name: company.name }, ['name']);
}

export async function upsertCustomer(manager: EntityManager, companyId: number, customer: DemoCustomer): Promise<number> {
  const row: Row = {
    company_id: companyId,
    code: customer.code,
    name: customer.name,
    email: customer.email,
    phone: customer.phone,
    postcode: customer.postcode,
    town: customer.town,
    address: customer.address,
    payment_method: customer.paymentMethod,
    e_invoice: customer.eInvoice,
  };
  const changing = ['name', 'email', 'phone', 'postcode', 'town', 'address', 'payment_method', 'e_invoice'];
  const rows: Array<{ id: string }> = await manager.query(
    `INSERT INTO customers (${Object.keys(row).join(', ')}) VALUES (${placeholders(Object.keys(row).length)})
     ON CONFLICT (company_id, code) DO UPDATE SET
       ${changing.map((column) => `${column} = EXCLUDED.${column}`).join(', ')},
       updated_at = CASE WHEN (${changing.map((c) => `customers.${c}`).join(', ')}) IS DISTINCT FROM (${changing
         .map((c) => `EXCLUDED.${c}`)
         .join(', ')}) THEN now() ELSE customers.updated_at END
     RETURNING id`,
    Object.values(row),
  );
  return Number(rows[0].id);
}

/** A customer's service point is the customer's own address. */
export async function upsertServicePoint(
  manager: EntityManager,
  companyId: number,
  customerId: number,
  customer: DemoCustomer,
): Promise<number> {
  return upsertByLookup(
    manager,
    'service_points',
    { company_id: companyId, customer_id: customerId, postcode: customer.postcode, town: customer.town, address: customer.address },
    { e_invoice: customer.eInvoice },
  );
}

export async function upsertMeter(manager: EntityManager, companyId: number, servicePointId: number, meter: DemoMeter): Promise<number> {
  return upsertUnique(
    manager,
    'meters',
    '(company_id, serial_number)',
    {
      company_id: companyId,
      serial_number: meter.serialNumber,
      service_point_id: servicePointId,
      type: meter.type,
      unit: meter.unit,
      decimals: 0,
      calibrated_at: meter.calibratedAt,
      provider_reading_period: null,
    },
    ['service_point_id', 'type', 'unit', 'decimals', 'calibrated_at', 'provider_reading_period'],
  );
}

/** Billable normal readings, one per date; readings customers submitted (request_id set) are left alone. */
export async function upsertReadings(manager: EntityManager, companyId: number, meterId: number, readings: DemoReading[]): Promise<void> {
  for (const reading of readings) {
    await upsertByLookup(
      manager,
      'readings',
      { company_id: companyId, meter_id: meterId, read_on: reading.readOn, kind: 'normal', request_id: null },
      { value: reading.value, billable: true },
    );
  }
}

/**
 * Makes the window of a meter (or, with `meterId` null, the company-wide one)
 * exactly `opensOn`..`closesOn`, keeping one row so its id stays stable.
 */
export async function replaceReadingWindow(
  manager: EntityManager,
  companyId: number,
  meterId: number | null,
  opensOn: string,
  closesOn: string,
): Promise<void> {
  const kept = await upsertByLookup(
    manager,
    'reading_windows',
    { company_id: companyId, meter_id: meterId },
    { opens_on: opensOn, closes_on: closesOn },
  );
  await manager.query(`DELETE FROM reading_windows WHERE company_id = $1 AND meter_id IS NOT DISTINCT FROM $2::bigint AND id <> $3`, [
    companyId,
    meterId,
    kept,
  ]);
}

/** The invoice and its own debt item, whose open amount is the invoice's. */
export async function upsertInvoice(
  manager: EntityManager,
  companyId: number,
  customerId: number,
  servicePointId: number,
  invoice: DemoInvoice,
): Promise<number> {
  const invoiceId = await upsertUnique(
    manager,
    'invoices',
    '(company_id, invoice_number)',
    {
      company_id: companyId,
      invoice_number: invoice.invoiceNumber,
      customer_id: customerId,
      service_point_id: servicePointId,
      type: invoice.type,
      period: invoice.period,
      issued_on: invoice.issuedOn,
      due_on: invoice.dueOn,
      gross_total: invoice.grossTotal,
      open_amount: invoice.openAmount,
      consumption: invoice.consumption?.value ?? null,
      consumption_unit: invoice.consumption?.unit ?? null,
    },
    [
      'customer_id',
      'service_point_id',
      'type',
      'period',
      'issued_on',
      'due_on',
      'gross_total',
      'open_amount',
      'consumption',
      'consumption_unit',
    ],
  );
  await replaceInvoiceLines(manager, companyId, invoiceId, invoice);
  await upsertByLookup(
    manager,
    'debt_items',
    { company_id: companyId, customer_id: customerId, kind: 'invoice', reference: invoice.invoiceNumber },
    {
      invoice_id: invoiceId,
      description: invoice.debtDescription,
      booked_on: invoice.issuedOn,
      amount: invoice.grossTotal,
      open_amount: invoice.openAmount,
    },
  );
  return invoiceId;
}

/** The invoice's lines and VAT summary, replaced as a whole (a re-run writes the same rows). */
async function replaceInvoiceLines(manager: EntityManager, companyId: number, invoiceId: number, invoice: DemoInvoice): Promise<void> {
  const lines = splitIntoLines(invoice.grossTotal, vatRateFor(invoice.type), invoice.lines);
  await manager.query(`DELETE FROM invoice_lines WHERE company_id = $1 AND invoice_id = $2`, [companyId, invoiceId]);
  await manager.query(`DELETE FROM invoice_vat_summaries WHERE company_id = $1 AND invoice_id = $2`, [companyId, invoiceId]);
  for (const line of lines) {
    await manager.query(
      `INSERT INTO invoice_lines (company_id, invoice_id, line_no, description, quantity, unit, unit_price, vat_rate, net_amount, vat_amount, gross_amount)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        companyId,
        invoiceId,
        line.lineNo,
        line.description,
        line.quantity,
        line.unit,
        line.unitPrice,
        line.vatRate,
        line.netAmount,
        line.vatAmount,
        line.grossAmount,
      ],
    );
  }
  for (const sum of vatSummary(lines)) {
    await manager.query(
      `INSERT INTO invoice_vat_summaries (company_id, invoice_id, vat_rate, net_amount, vat_amount, gross_amount) VALUES ($1, $2, $3, $4, $5, $6)`,
      [companyId, invoiceId, sum.vatRate, sum.netAmount, sum.vatAmount, sum.grossAmount],
    );
  }
}

export async function upsertDebtItem(
  manager: EntityManager,
  companyId: number,
  customerId: number,
  invoiceId: number | null,
  item: DemoDebtItem,
): Promise<void> {
  await upsertByLookup(
    manager,
    'debt_items',
    { company_id: companyId, customer_id: customerId, kind: item.kind, reference: item.reference },
    { invoice_id: invoiceId, description: item.description, booked_on: item.bookedOn, amount: item.amount, open_amount: item.openAmount },
  );
}

/** A message is known by its subject; `customerId` null addresses every customer of the company. */
export async function upsertMessage(
  manager: EntityManager,
  companyId: number,
  customerId: number | null,
  message: DemoMessage,
  clerkId: number | null,
): Promise<void> {
  // A message to one customer, or (customerId null) to every customer of the company: segment `{}`.
  const messageId = await upsertByLookup(
    manager,
    'messages',
    { company_id: companyId, customer_id: customerId, subject: message.subject },
    { body: message.body, published_at: message.publishedAt, created_by_clerk_id: clerkId, segment: customerId === null ? '{}' : null },
  );
  await manager.query(
    `WITH added AS (
       INSERT INTO message_recipients (company_id, customer_id, message_id)
       SELECT company_id, id, $3 FROM customers WHERE company_id = $1 AND ($2::bigint IS NULL OR id = $2)
       ON CONFLICT DO NOTHING RETURNING 1)
     UPDATE messages SET recipient_count = recipient_count + (SELECT count(*) FROM added) WHERE company_id = $1 AND id = $3`,
    [companyId, customerId, messageId],
  );
}

export async function upsertNotificationPreferences(
  manager: EntityManager,
  companyId: number,
  customerId: number,
  preferences: Record<NotificationTopic, boolean>,
): Promise<void> {
  const topics = Object.keys(preferences);
  // updated_at moves only when a choice really changes.
  await manager.query(
    `INSERT INTO notification_preferences (company_id, customer_id, topic, email)
     SELECT $1, $2, t.topic, t.email FROM unnest($3::text[], $4::boolean[]) AS t(topic, email)
     ON CONFLICT (company_id, customer_id, topic) DO UPDATE SET email = EXCLUDED.email, updated_at = now()
     WHERE notification_preferences.email IS DISTINCT FROM EXCLUDED.email`,
    [companyId, customerId, topics, topics.map((topic) => preferences[topic as NotificationTopic])],
  );
}

export async function upsertCustomerAccount(
  manager: EntityManager,
  companyId: number,
  customerId: number,
  account: { loginEmail: string; password: string },
  hasher: PasswordHasher,
): Promise<void> {
  const stored: Array<{ password_hash: string | null }> = await manager.query(
    `SELECT password_hash FROM customer_accounts WHERE company_id = $1 AND customer_id = $2`,
    [companyId, customerId],
  );
  const hash = await hasher.hashFor(account.password, stored[0]?.password_hash ?? null);
  await manager.query(
    `INSERT INTO customer_accounts (company_id, customer_id, login_email, password_hash, email_verified_at)
     VALUES ($1, $2, $3, $4, now())
     ON CONFLICT (company_id, customer_id) DO UPDATE SET
       login_email = EXCLUDED.login_email,
       password_hash = EXCLUDED.password_hash,
       email_verified_at = COALESCE(customer_accounts.email_verified_at, EXCLUDED.email_verified_at)`,
    [companyId, customerId, account.loginEmail, hash],
  );
}

export async function upsertClerk(
  manager: EntityManager,
  companyId: number,
  clerk: DemoClerk,
  hasher: PasswordHasher,
  totpKeyring: TotpKeyring,
): Promise<number> {
  const stored: Array<{ password_hash: string }> = await manager.query(
    `SELECT password_hash FROM clerks WHERE company_id = $1 AND lower(email) = lower($2)`,
    [companyId, clerk.email],
  );
  const hash = await hasher.hashFor(clerk.password, stored[0]?.password_hash ?? null);
  const clerkId = await upsertUnique(
    manager,
    'clerks',
    '(company_id, lower(email))',
    { company_id: companyId, email: clerk.email, name: clerk.name, role: clerk.role, password_hash: hash, active: true },
    ['email', 'name', 'role', 'password_hash', 'active'],
  );
  if (clerk.totpSecret) {
    // Only while none is enrolled and no admin reset it: a second load changes nothing.
    const sealed = sealTotpSecret(clerk.totpSecret, clerkTotpContext(companyId, clerkId), totpKeyring);
    await manager.query(
      `UPDATE clerks SET totp_secret = $1 WHERE company_id = $2 AND id = $3 AND totp_secret IS NULL AND NOT totp_required`,
      [sealed, companyId, clerkId],
    );
  }
  return clerkId;
}

export interface DemoLoadCounts {
  companies: number;
  customers: number;
  accounts: number;
  clerks: number;
  meters: number;
  readings: number;
  invoices: number;
  debtItems: number;
  messages: number;
}

function emptyCounts(): DemoLoadCounts {
  return { companies: 0, customers: 0, accounts: 0, clerks: 0, meters: 0, readings: 0, invoices: 0, debtItems: 0, messages: 0 };
}

async function loadCustomer(
  manager: EntityManager,
  companyId: number,
  customer: DemoCustomer,
  window: { opensOn: string; closesOn: string },
  messageAuthor: number | null,
  hasher: PasswordHasher,
  counts: DemoLoadCounts,
): Promise<void> {
  const customerId = await upsertCustomer(manager, companyId, customer);
  const servicePointId = await upsertServicePoint(manager, companyId, customerId, customer);
  for (const meter of customer.meters) {
    const meterId = await upsertMeter(manager, companyId, servicePointId, meter);
    await upsertReadings(manager, companyId, meterId, meter.readings);
    if (meter.readingWindow) await replaceReadingWindow(manager, companyId, meterId, window.opensOn, window.closesOn);
    counts.meters += 1;
    counts.readings += meter.readings.length;
  }
  const invoiceIds = new Map<string, number>();
  for (const invoice of customer.invoices) {
    invoiceIds.set(invoice.invoiceNumber, await upsertInvoice(manager, companyId, customerId, servicePointId, invoice));
  }
  for (const item of customer.otherDebts) {
    const invoiceId = item.invoiceNumber === undefined ? null : invoiceIds.get(item.invoiceNumber);
    if (invoiceId === undefined) throw new Error(`Demo debt ${item.reference} names an unknown invoice ${item.invoiceNumber}`);
    await upsertDebtItem(manager, companyId, customerId, invoiceId, item);
  }
  for (const message of customer.messages) await upsertMessage(manager, companyId, customerId, message, messageAuthor);
  if (customer.notifications) await upsertNotificationPreferences(manager, companyId, customerId, customer.notifications);
  if (customer.account) {
    await upsertCustomerAccount(manager, companyId, customerId, customer.account, hasher);
    counts.accounts += 1;
  }
  counts.customers += 1;
  counts.invoices += customer.invoices.length;
  counts.debtItems += customer.invoices.length + customer.otherDebts.length;
  counts.messages += customer.messages.length;
}

export async function loadCompany(
  manager: EntityManager,
  company: DemoCompany,
  today: string,
  hasher: PasswordHasher,
  totpKeyring: TotpKeyring,
  counts: DemoLoadCounts = emptyCounts(),
): Promise<DemoLoadCounts> {
  const companyId = await upsertCompany(manager, company);
  // A window that contains today, so the reading form is usable whenever the demo runs.
  const window = { opensOn: monthStart(today), closesOn: monthEnd(today) };
  const clerkIds: number[] = [];
  for (const clerk of company.clerks) clerkIds.push(await upsertClerk(manager, companyId, clerk, hasher, totpKeyring));
  const messageAuthor = clerkIds[0] ?? null;
  for (const customer of company.customers) await loadCustomer(manager, companyId, customer, window, messageAuthor, hasher, counts);
  for (const message of company.messages) await upsertMessage(manager, companyId, null, message, messageAuthor);
  if (company.readingWindow) await replaceReadingWindow(manager, companyId, null, window.opensOn, window.closesOn);
  counts.companies += 1;
  counts.clerks += company.clerks.length;
  counts.messages += company.messages.length;
  return counts;
}

/** Every demo company, in the caller's transaction. */
export async function loadDemoData(
  manager: EntityManager,
  today: string,
  hasher: PasswordHasher,
  totpKeyring: TotpKeyring,
): Promise<DemoLoadCounts> {
  // Two loads at once would both insert the rows that have no unique key.
  await manager.query(`SELECT pg_advisory_xact_lock(hashtext('ugyfelportal:demo-load'))`);
  const counts = emptyCounts();
  for (const company of demoCompanies(today)) await loadCompany(manager, company, today, hasher, totpKeyring, counts);
  return counts;
}

/** The whole demo load in one transaction: all of it or nothing. */
export async function runDemoLoad(
  dataSource: DataSource,
  options: { today?: string; hasher?: PasswordHasher; totpEncryptionKeys?: string } = {},
): Promise<DemoLoadCounts> {
  const today = options.today ?? todayInHungary();
  const hasher = options.hasher ?? new PasswordHasher();
  const totpKeyring = parseTotpKeyring(options.totpEncryptionKeys ?? loadTotpEncryptionKeys());
  return dataSource.transaction(async (manager) => {
    await assertSchema(manager);
    return loadDemoData(manager, today, hasher, totpKeyring);
  });
}
