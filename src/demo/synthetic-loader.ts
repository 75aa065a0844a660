import { DataSource, EntityManager } from 'typeorm';
import { monthStart } from './demo-data';
import { todayInHungary } from '../web/format';
import { assertSchema, upsertCompany } from './demo-loader';

export const LOAD_COMPANY = { code: 'load', name: 'Terheléses Teszt Kft.' } as const;
/** Codes are LD + six digits, so this is the most the numbering allows. */
export const MAX_SYNTHETIC_CUSTOMERS = 999_999;
const MONTHS = 24;

export function syntheticCustomerCode(n: number): string {
  return `LD${String(n).padStart(6, '0')}`;
}

/**
 * Inserts the customers $2..$3 of company $1 that do not exist yet and, for
 * exactly those (RETURNING), one service point, one meter, 24 monthly readings,
 * 24 invoices ($4 is the first day of the current month; the newest invoice
 * bills last month) with two lines and a VAT summary each, and their debt items. Everything is generated inside
 * PostgreSQL, so one statement writes a whole batch. Children find their parents
 * through the customer code; the values are arithmetic on the customer number,
 * so a batch always produces the same rows.
 */
const BATCH_SQL = `
WITH c AS (
  INSERT INTO customers (company_id, code, name, email, postcode, town, address, payment_method)
  SELECT $1, 'LD' || lpad(g::text, 6, '0'), 'Teszt Ügyfél ' || g, 'ld' || lpad(g::text, 6, '0') || '@load.invalid',
         (1000 + g % 9000)::text, 'Terhelésfalva ' || (g % 50 + 1), 'Próba utca ' || (g % 200 + 1) || '. ' || (g % 40 + 1) || '. ajtó',
         (ARRAY['postal_order', 'bank_transfer', 'direct_debit', 'card'])[1 + g % 4]
    FROM generate_series($2::int, $3::int) AS g
  ON CONFLICT (company_id, code) DO NOTHING
  RETURNING id, code, postcode, town, address
), sp AS (
  INSERT INTO service_points (company_id, customer_id, postcode, town, address)
  SELECT $1, id, postcode, town, address FROM c
  RETURNING id, customer_id
), x AS (
  SELECT c.id AS customer_id, sp.id AS service_point_id, c.code, s.n,
         (ARRAY['hot_water', 'heat', 'cold_water'])[1 + (s.n - 1) % 3] AS meter_type
    FROM c JOIN sp ON sp.customer_id = c.id CROSS JOIN LATERAL (SELECT substr(c.code, 3)::int AS n) AS s
), months AS (
  SELECT k, p.period, (p.period + interval '1 month')::date AS issued_on,
         (p.period + interval '1 month')::date + 14 AS due_on, (p.period + interval '1 month')::date - 1 AS read_on
    FROM generate_series(0, ${MONTHS - 1}) AS k
    CROSS JOIN LATERAL (SELECT ($4::date - make_interval(months => ${MONTHS} - k))::date AS period) AS p
), m AS (
  INSERT INTO meters (company_id, service_point_id, serial_number, type, unit, decimals, calibrated_at)
  SELECT $1, service_point_id, 'LDM' || lpad(n::text, 6, '0'), meter_type,
         CASE meter_type WHEN 'heat' THEN 'GJ' ELSE 'm3' END, CASE meter_type WHEN 'heat' THEN 3 ELSE 0 END,
         DATE '2020-01-31' + n % 1500
    FROM x
  RETURNING id, service_point_id, type
), rd AS (
  -- Rises every month by at least one unit (a step of 3..7 plus a wobble of 0..2).
  INSERT INTO readings (company_id, meter_id, read_on, value, kind, billable)
  SELECT $1, m.id, months.read_on,
         CASE m.type WHEN 'heat' THEN 0.137 ELSE 1 END * (x.n % 900 * 3 + months.k * (3 + x.n % 5) + (x.n + months.k) % 3),
         'normal', true
    FROM m JOIN x ON x.service_point_id = m.service_point_id CROSS JOIN months
  RETURNING 1
), inv AS (
  -- The newest invoice is open; every fifth customer also owes the one before it. The consumption
  -- billed is the month's difference of the readings above (the same arithmetic one month apart).
  INSERT INTO invoices (company_id, customer_id, service_point_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount,
                        consumption, consumption_unit)
  SELECT $1, x.customer_id, x.service_point_id, x.code || '-' || to_char(months.period, 'YYYYMM'),
         CASE x.meter_type WHEN 'heat' THEN 'district_heating' WHEN 'hot_water' THEN 'hot_water' ELSE 'water' END,
         months.period, months.issued_on, months.due_on, a.gross,
         CASE WHEN months.k = ${MONTHS - 1} OR (months.k = ${MONTHS - 2} AND x.n % 5 = 0) THEN a.gross ELSE 0 END,
         CASE x.meter_type WHEN 'heat' THEN 0.137 ELSE 1 END * ((3 + x.n % 5) + (x.n + months.k) % 3 - (x.n + months.k - 1) % 3),
         CASE x.meter_type WHEN 'heat' THEN 'GJ' ELSE 'm3' END
    FROM x CROSS JOIN months
    CROSS JOIN LATERAL (SELECT 3000 + (x.n * 7919 + months.k * 104729) % 25000 AS gross) AS a
  RETURNING id, customer_id, invoice_number, type, period, issued_on, due_on, gross_total, open_amount, consumption, consumption_unit
), priced AS (
  -- Two lines: the monthly base fee (40% of the gross total) and the consumption; VAT 5% on heat
  -- and hot water, 27% on water. Each line's net is its gross over (1 + VAT), so lines add up exactly.
  SELECT inv.id, inv.consumption, inv.consumption_unit, v.rate, b.gross AS base_gross, inv.gross_total - b.gross AS use_gross,
         round(b.gross * 100.0 / (100 + v.rate))::int AS base_net, round((inv.gross_total - b.gross) * 100.0 / (100 + v.rate))::int AS use_net
    FROM inv
    CROSS JOIN LATERAL (SELECT CASE WHEN inv.type IN ('district_heating', 'hot_water') THEN 5 ELSE 27 END AS rate) AS v
    CROSS JOIN LATERAL (SELECT round(inv.gross_total * 0.4)::int AS gross) AS b
), il AS (
  INSERT INTO invoice_lines (company_id, invoice_id, line_no, description, quantity, unit, unit_price, vat_rate, net_amount, vat_amount, gross_amount)
  SELECT $1, id, 1, 'Alapdíj', 1, 'hó', base_net, rate, base_net, base_gross - base_net, base_gross FROM priced
  UNION ALL
  SELECT $1, id, 2, 'Fogyasztás', consumption, consumption_unit, round(use_net / consumption, 4), rate, use_net, use_gross - use_net, use_gross
    FROM priced
  RETURNING 1
), vs AS (
  INSERT INTO invoice_vat_summaries (company_id, invoice_id, vat_rate, net_amount, vat_amount, gross_amount)
  SELECT $1, id, rate, base_net + use_net, base_gross + use_gross - base_net - use_net, base_gross + use_gross FROM priced
  RETURNING 1
), di AS (
  INSERT INTO debt_items (company_id, customer_id, invoice_id, kind, reference, description, booked_on, amount, open_amount)
  SELECT $1, customer_id, id, 'invoice', invoice_number,
         'Számla:' || invoice_number || ' (' || to_char(period, 'YYYY/MM') || ')', issued_on, gross_total, open_amount
    FROM inv
  UNION ALL
  -- Every fourth customer paid an invoice late, a year ago, and has paid the interest too.
  SELECT $1, inv.customer_id, inv.id, 'interest', inv.invoice_number || ' Kamat',
         'Számla:' || inv.invoice_number || ' Kamat (' || to_char(inv.due_on + 45, 'YYYY.MM.DD') || ')',
         inv.due_on + 45, 150 + x.n % 900, 0
    FROM inv JOIN x ON x.customer_id = inv.customer_id
   WHERE x.n % 4 = 0 AND inv.period = (SELECT period FROM months WHERE k = ${MONTHS - 14})
  UNION ALL
  -- Every third customer once got a payment reminder, since paid.
  SELECT $1, x.customer_id, NULL, 'reminder_fee', 'F' || x.code || '-1',
         'Fiz.felsz:' || x.code || '-1 Minden hátralék felszólítás', months.due_on + 10, 550, 0
    FROM x JOIN months ON months.k = ${MONTHS - 13}
   WHERE x.n % 3 = 0
  UNION ALL
  -- The customers with an overdue invoice have an open reminder fee.
  SELECT $1, x.customer_id, NULL, 'reminder_fee', 'F' || x.code || '-2',
         'Fiz.felsz:' || x.code || '-2 Minden hátralék felszólítás', months.due_on + 10, 570, 570
    FROM x JOIN months ON months.k = ${MONTHS - 2}
   WHERE x.n % 5 = 0
  RETURNING 1
)
SELECT (SELECT count(*) FROM c)::int AS customers, (SELECT count(*) FROM rd)::int AS readings,
       (SELECT count(*) FROM inv)::int AS invoices, (SELECT count(*) FROM di)::int AS debt_items,
       (SELECT count(*) FROM il)::int + (SELECT count(*) FROM vs)::int AS invoice_details`;

export interface BatchResult {
  customers: number;
  /** Every row written: customers, service points, meters, readings, invoices, their lines and VAT summaries, debt items. */
  rows: number;
}

/** Loads the missing customers among numbers `first`..`last` in the caller's transaction. */
export async function loadSyntheticBatch(
  manager: EntityManager,
  companyId: number,
  first: number,
  last: number,
  currentMonth: string,
): Promise<BatchResult> {
  // Skipping a complete batch up front keeps a re-run fast and its identity sequences untouched.
  const present: Array<{ count: number }> = await manager.query(
    `SELECT count(*)::int AS count FROM generate_series($2::int, $3::int) AS g
       JOIN customers c ON c.company_id = $1 AND c.code = 'LD' || lpad(g::text, 6, '0')`,
    [companyId, first, last],
  );
  if (present[0].count === last - first + 1) return { customers: 0, rows: 0 };
  const [written]: Array<{ customers: number; readings: number; invoices: number; debt_items: number; invoice_details: number }> =
    await manager.query(BATCH_SQL, [companyId, first, last, currentMonth]);
  return {
    customers: written.customers,
    rows: written.customers * 3 + written.readings + written.invoices + written.debt_items + written.invoice_details,
  };
}

export interface SyntheticProgress {
  /** Customer numbers handled so far (created or already there). */
  done: number;
  total: number;
  created: number;
  rows: number;
}

export interface SyntheticLoadOptions {
  customers: number;
  /** Customers per transaction. */
  batchSize?: number;
  /** Batches written at once; PostgreSQL does the work, so about one per core. */
  concurrency?: number;
  today?: string;
  onProgress?: (progress: SyntheticProgress) => void;
}

export interface SyntheticLoadResult {
  requested: number;
  created: number;
  rows: number;
  seconds: number;
}

/** Makes customers LD000001..LD{N} of the load company exist, adding only the missing ones. */
export async function loadSyntheticCustomers(dataSource: DataSource, options: SyntheticLoadOptions): Promise<SyntheticLoadResult> {
  const { customers, batchSize = 5000, concurrency = 2 } = options;
  if (!Number.isInteger(customers) || customers < 0 || customers > MAX_SYNTHETIC_CUSTOMERS) {
    throw new RangeError(`customers must be a whole number from 0 to ${MAX_SYNTHETIC_CUSTOMERS}`);
  }
  const started = process.hrtime.bigint();
  const currentMonth = monthStart(options.today ?? todayInHungary());
  const companyId = await dataSource.transaction(async (manager) => {
    await assertSchema(manager);
    return upsertCompany(manager, LOAD_COMPANY);
  });

  const batches: Array<[number, number]> = [];
  for (let first = 1; first <= customers; first += batchSize) batches.push([first, Math.min(first + batchSize - 1, customers)]);
  const progress: SyntheticProgress = { done: 0, total: customers, created: 0, rows: 0 };
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < batches.length) {
      const [first, last] = batches[next++];
      try {
        const result = await dataSource.transaction((manager) => loadSyntheticBatch(manager, companyId, first, last, currentMonth));
        progress.done += last - first + 1;
        progress.created += result.customers;
        progress.rows += result.rows;
        options.onProgress?.({ ...progress });
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  // Let the other batches finish (or roll back) before reporting the first failure.
  const outcomes = await Promise.allSettled(Array.from({ length: Math.max(1, concurrency) }, worker));
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) throw failure.reason;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { requested: customers, created: progress.created, rows: progress.rows, seconds };
}
