import { PreparedStatement } from '../../libs/typeorm/prepared-query';

/*
 * The billing statements the customer pages, the API and bench/billing.ts's plain
 * server all run, so that the benchmark measures the same SQL. Each is a named
 * prepared statement (libs/typeorm/prepared-query.ts): planned once per connection.
 * Every statement is scoped by company ($1) and customer ($2).
 */

/** One page of invoices, newest due date first; $3 cursor due date, $4 cursor id (null: first page), $5 year, $6 service point, $7 limit. */
export const INVOICE_PAGE: PreparedStatement = {
  name: 'billing_invoice_page',
  text: `
SELECT i.id, i.invoice_number, i.type, i.period, i.issued_on, i.due_on, i.gross_total, i.open_amount, i.service_point_id
  FROM invoices i
 WHERE i.company_id = $1 AND i.customer_id = $2
   -- Always a bound, so a generic plan keeps it in the index condition (keyset) rather than a filter.
   AND (i.due_on, i.id) < (coalesce($3::date, 'infinity'::date), coalesce($4::bigint, 9223372036854775807))
   AND ($5::int IS NULL OR (i.period >= make_date($5::int, 1, 1) AND i.period < make_date($5::int + 1, 1, 1)))
   AND ($6::bigint IS NULL OR i.service_point_id = $6::bigint)
 ORDER BY i.due_on DESC, i.id DESC
 LIMIT $7`,
};

/**
 * The customer's debt items: every open one and the newest $3 paid ones, with the
 * invoice an item belongs to; the customer's type and the company's interest rule.
 */
export const DEBTS: PreparedStatement = {
  name: 'billing_debts',
  text: `
WITH items AS (
  (SELECT id, company_id, kind, reference, description, booked_on, amount, open_amount, invoice_id
     FROM debt_items WHERE company_id = $1 AND customer_id = $2 AND open_amount > 0)
  UNION ALL
  (SELECT id, company_id, kind, reference, description, booked_on, amount, open_amount, invoice_id
     FROM debt_items WHERE company_id = $1 AND customer_id = $2 AND open_amount = 0
    ORDER BY booked_on DESC, id DESC LIMIT $3)
), booked AS (
  -- The last interest booked on each of the customer's invoices: one pass over their items, not a probe per row.
  SELECT invoice_id, max(booked_on) AS until FROM debt_items
   WHERE company_id = $1 AND customer_id = $2 AND kind = 'interest' AND invoice_id IS NOT NULL
   GROUP BY invoice_id
)
SELECT d.id, d.kind, d.reference, d.description, d.booked_on, d.amount, d.open_amount, d.invoice_id,
       i.invoice_number, i.due_on, i.gross_total, booked.until AS interest_booked_until,
       c.customer_type, co.late_interest_rule
  FROM customers c
  JOIN companies co ON co.id = c.company_id
  LEFT JOIN items d ON true
  LEFT JOIN invoices i ON i.company_id = d.company_id AND i.id = d.invoice_id
  LEFT JOIN booked ON booked.invoice_id = d.invoice_id
 WHERE c.company_id = $1 AND c.id = $2
 ORDER BY d.open_amount = 0, d.booked_on DESC, d.id DESC`,
};

/** The billing facts of the customer's home: open balance, next due date, the newest invoice. */
export const HOME_BILLING: PreparedStatement = {
  name: 'billing_home',
  text: `
SELECT (SELECT coalesce(sum(open_amount), 0)::int FROM debt_items
         WHERE company_id = $1 AND customer_id = $2 AND open_amount > 0) AS open_balance,
       (SELECT min(due_on) FROM invoices
         WHERE company_id = $1 AND customer_id = $2 AND open_amount > 0) AS next_due_on,
       newest.id, newest.invoice_number, newest.type, newest.period, newest.due_on, newest.gross_total, newest.open_amount
  FROM (SELECT 1) AS one
  LEFT JOIN LATERAL (
        SELECT id, invoice_number, type, period, due_on, gross_total, open_amount FROM invoices
         WHERE company_id = $1 AND customer_id = $2 ORDER BY due_on DESC, id DESC LIMIT 1) newest ON true`,
};

/** The base-rate history, oldest first (a few dozen rows). */
export const BASE_RATES: PreparedStatement = {
  name: 'billing_base_rates',
  text: `SELECT valid_from, rate FROM central_bank_base_rates ORDER BY valid_from`,
};

/** One invoice of the customer ($3) with the customer, company and service point its page and PDF show. */
export const INVOICE_DETAIL: PreparedStatement = {
  name: 'billing_invoice_detail',
  text: `
SELECT i.id, i.invoice_number, i.type, i.period, i.issued_on, i.due_on, i.gross_total, i.open_amount, i.service_point_id,
       i.consumption, i.consumption_unit, sp.postcode AS sp_postcode, sp.town AS sp_town, sp.address AS sp_address,
       c.code, c.name, c.postcode, c.town, c.address, c.payment_method, co.name AS company_name
  FROM invoices i
  JOIN customers c ON c.company_id = i.company_id AND c.id = i.customer_id
  JOIN companies co ON co.id = i.company_id
  LEFT JOIN service_points sp ON sp.company_id = i.company_id AND sp.id = i.service_point_id
 WHERE i.company_id = $1 AND i.customer_id = $2 AND i.id = $3`,
};

/** The invoice's ($2) line items; run only after INVOICE_DETAIL found it among the customer's. */
export const INVOICE_LINES: PreparedStatement = {
  name: 'billing_invoice_lines',
  text: `
SELECT line_no, description, quantity, unit, unit_price, vat_rate, net_amount, vat_amount, gross_amount
  FROM invoice_lines WHERE company_id = $1 AND invoice_id = $2 ORDER BY line_no`,
};

/** The invoice's ($2) VAT summary, one row per rate. */
export const INVOICE_VAT_SUMMARY: PreparedStatement = {
  name: 'billing_invoice_vat_summary',
  text: `
SELECT vat_rate, net_amount, vat_amount, gross_amount FROM invoice_vat_summaries
 WHERE company_id = $1 AND invoice_id = $2 ORDER BY vat_rate`,
};

/** The succeeded (bank-confirmed) payments allocated to the invoice's ($2) debt item, oldest first. */
export const INVOICE_PAYMENTS: PreparedStatement = {
  name: 'billing_invoice_payments',
  text: `
SELECT p.id, p.confirmed_at, sum(a.amount)::int AS amount
  FROM debt_items d
  JOIN payment_allocations a ON a.company_id = d.company_id AND a.debt_item_id = d.id
  JOIN payments p ON p.company_id = a.company_id AND p.id = a.payment_id AND p.status = 'succeeded'
 WHERE d.company_id = $1 AND d.invoice_id = $2 AND d.kind = 'invoice'
 GROUP BY p.id, p.confirmed_at ORDER BY p.confirmed_at, p.id`,
};
