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
   AND ($3::date IS NULL OR (i.due_on, i.id) < ($3::date, $4::bigint))
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
)
SELECT d.id, d.kind, d.reference, d.description, d.booked_on, d.amount, d.open_amount, d.invoice_id,
       i.invoice_number, i.due_on, i.gross_total,
       (SELECT max(x.booked_on) FROM debt_items x
         WHERE x.company_id = $1 AND x.invoice_id = d.invoice_id AND x.kind = 'interest') AS interest_booked_until,
       c.customer_type, co.late_interest_rule
  FROM customers c
  JOIN companies co ON co.id = c.company_id
  LEFT JOIN items d ON true
  LEFT JOIN invoices i ON i.company_id = d.company_id AND i.id = d.invoice_id
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
