import { MigrationInterface, QueryRunner } from 'typeorm';

const EVENTS_BEFORE = `'login_succeeded', 'login_failed', 'lockout', 'password_changed', 'password_reset', 'account_deleted',
  'account_registered', 'logout', 'totp_enrolled', 'clerk_created', 'totp_reset', 'clerk_deactivated', 'clerk_reactivated',
  'clerk_role_changed'`;
const EVENTS_AFTER = `${EVENTS_BEFORE}, 'customer_viewed', 'base_rate_added'`;

/**
 * The central bank base rate (jegybanki alapkamat) as changed by the MNB, from the last
 * change before 2012 to the latest known. Source: MNB, "Jegybanki alapkamat alakulása"
 * (https://www.mnb.hu/Jegybanki_alapkamat_alakulasa); the rows are the days the new rate
 * took effect. Later changes are added by a supervisor (page /backoffice/base-rates).
 */
const MNB_BASE_RATES: Array<[validFrom: string, percent: string]> = [
  ['2011-12-21', '7.00'],
  ['2012-08-29', '6.75'],
  ['2012-09-26', '6.50'],
  ['2012-10-31', '6.25'],
  ['2012-11-28', '6.00'],
  ['2012-12-19', '5.75'],
  ['2013-01-30', '5.50'],
  ['2013-02-27', '5.25'],
  ['2013-03-27', '5.00'],
  ['2013-04-24', '4.75'],
  ['2013-05-29', '4.50'],
  ['2013-06-26', '4.25'],
  ['2013-07-24', '4.00'],
  ['2013-08-28', '3.80'],
  ['2013-09-25', '3.60'],
  ['2013-10-30', '3.40'],
  ['2013-11-27', '3.20'],
  ['2013-12-18', '3.00'],
  ['2014-01-22', '2.85'],
  ['2014-02-19', '2.70'],
  ['2014-03-26', '2.60'],
  ['2014-04-30', '2.50'],
  ['2014-05-28', '2.40'],
  ['2014-06-25', '2.30'],
  ['2014-07-23', '2.10'],
  ['2015-03-25', '1.95'],
  ['2015-04-22', '1.80'],
  ['2015-05-27', '1.65'],
  ['2015-06-24', '1.50'],
  ['2015-07-22', '1.35'],
  ['2016-03-23', '1.20'],
  ['2016-04-27', '1.05'],
  ['2016-05-25', '0.90'],
  ['2020-06-24', '0.75'],
  ['2020-07-22', '0.60'],
  ['2021-06-23', '0.90'],
  ['2021-07-28', '1.20'],
  ['2021-08-25', '1.50'],
  ['2021-09-22', '1.65'],
  ['2021-10-20', '1.80'],
  ['2021-11-17', '2.10'],
  ['2021-12-15', '2.40'],
  ['2022-01-26', '2.90'],
  ['2022-02-23', '3.40'],
  ['2022-03-23', '4.40'],
  ['2022-04-27', '5.40'],
  ['2022-06-01', '5.90'],
  ['2022-06-29', '7.75'],
  ['2022-07-13', '9.75'],
  ['2022-07-27', '10.75'],
  ['2022-08-31', '11.75'],
  ['2022-09-28', '13.00'],
  ['2023-10-25', '12.25'],
  ['2023-11-22', '11.50'],
  ['2023-12-20', '10.75'],
  ['2024-01-31', '10.00'],
  ['2024-02-28', '9.00'],
  ['2024-03-27', '8.25'],
  ['2024-04-24', '7.75'],
  ['2024-05-22', '7.25'],
  ['2024-06-19', '7.00'],
  ['2024-07-24', '6.75'],
  ['2024-09-25', '6.50'],
];

/**
 * What the invoice pages, the invoice PDF, the explained arrears and the clerk's
 * customer look-up need:
 * - invoice_lines and invoice_vat_summaries (the issuer's VAT summary per rate), and the
 *   consumption the invoice bills;
 * - customers.customer_type (households and businesses owe different late-payment interest)
 *   and companies.late_interest_rule (the company's rule; the Civil Code's by default);
 * - central_bank_base_rates, seeded with the MNB's history, which a supervisor extends;
 * - prefix indexes for the customer look-up (text_pattern_ops, so `LIKE 'abc%'` is an index
 *   range scan whatever the database collation);
 * - security events for a clerk viewing a customer and for a new base rate.
 */
export class InvoiceDetailAndInterest1764630000000 implements MigrationInterface {
  name = 'InvoiceDetailAndInterest1764630000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE invoices
        ADD COLUMN consumption numeric(14, 3) CHECK (consumption IS NULL OR consumption >= 0),
        ADD COLUMN consumption_unit text CHECK (consumption_unit IS NULL OR consumption_unit IN ('m3', 'kWh', 'GJ')),
        ADD CONSTRAINT invoices_consumption_check1 CHECK ((consumption IS NULL) = (consumption_unit IS NULL))`);
    await q.query(`
      CREATE TABLE invoice_lines (
        company_id    integer NOT NULL,
        invoice_id    bigint NOT NULL,
        line_no       smallint NOT NULL CHECK (line_no BETWEEN 1 AND 999),
        description   text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
        quantity      numeric(14, 3) NOT NULL,
        unit          text NOT NULL CHECK (length(unit) BETWEEN 1 AND 20),
        unit_price    numeric(14, 4) NOT NULL,
        vat_rate      smallint NOT NULL CHECK (vat_rate BETWEEN 0 AND 100),
        net_amount    integer NOT NULL,
        vat_amount    integer NOT NULL,
        gross_amount  integer NOT NULL,
        PRIMARY KEY (company_id, invoice_id, line_no),
        FOREIGN KEY (company_id, invoice_id) REFERENCES invoices(company_id, id) ON DELETE CASCADE,
        CHECK (net_amount + vat_amount = gross_amount)
      )`);
    await q.query(`
      CREATE TABLE invoice_vat_summaries (
        company_id    integer NOT NULL,
        invoice_id    bigint NOT NULL,
        vat_rate      smallint NOT NULL CHECK (vat_rate BETWEEN 0 AND 100),
        net_amount    integer NOT NULL,
        vat_amount    integer NOT NULL,
        gross_amount  integer NOT NULL,
        PRIMARY KEY (company_id, invoice_id, vat_rate),
        FOREIGN KEY (company_id, invoice_id) REFERENCES invoices(company_id, id) ON DELETE CASCADE,
        CHECK (net_amount + vat_amount = gross_amount)
      )`);

    await q.query(`
      ALTER TABLE customers ADD COLUMN customer_type text NOT NULL DEFAULT 'household'
        CHECK (customer_type IN ('household', 'business'))`);
    await q.query(`
      ALTER TABLE companies ADD COLUMN late_interest_rule text NOT NULL DEFAULT 'civil_code'
        CHECK (late_interest_rule IN ('civil_code', 'none'))`);

    await q.query(`
      CREATE TABLE central_bank_base_rates (
        valid_from     date PRIMARY KEY,
        rate           numeric(5, 2) NOT NULL CHECK (rate >= 0 AND rate < 100),
        created_at     timestamptz NOT NULL DEFAULT now(),
        -- Who added the row; null for the rows this migration seeds.
        company_id     integer,
        clerk_id       integer,
        FOREIGN KEY (company_id, clerk_id) REFERENCES clerks(company_id, id),
        CHECK ((company_id IS NULL) = (clerk_id IS NULL))
      )`);
    // Serves the foreign key (a clerk's deletion would look here); the table stays small.
    await q.query(`CREATE INDEX central_bank_base_rates_clerk_idx ON central_bank_base_rates (company_id, clerk_id)`);
    await q.query(`INSERT INTO central_bank_base_rates (valid_from, rate) SELECT * FROM unnest($1::date[], $2::numeric[])`, [
      MNB_BASE_RATES.map(([day]) => day),
      MNB_BASE_RATES.map(([, rate]) => rate),
    ]);

    await q.query(`CREATE INDEX customers_code_prefix_idx ON customers (company_id, code text_pattern_ops)`);
    await q.query(`CREATE INDEX customers_name_prefix_idx ON customers (company_id, lower(name) text_pattern_ops)`);
    await q.query(`CREATE INDEX customers_email_prefix_idx ON customers (company_id, lower(email) text_pattern_ops)`);
    await q.query(`CREATE INDEX customers_address_prefix_idx ON customers (company_id, lower(address) text_pattern_ops)`);
    await q.query(`CREATE INDEX service_points_address_prefix_idx ON service_points (company_id, lower(address) text_pattern_ops)`);
    await q.query(`CREATE INDEX invoices_number_prefix_idx ON invoices (company_id, invoice_number text_pattern_ops)`);

    await q.query(`
      ALTER TABLE security_events
        DROP CONSTRAINT security_events_event_check,
        ADD CONSTRAINT security_events_event_check CHECK (event IN (${EVENTS_AFTER}))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // NOT VALID: the trail is append-only, so rows with the new events stay.
    await q.query(`
      ALTER TABLE security_events
        DROP CONSTRAINT security_events_event_check,
        ADD CONSTRAINT security_events_event_check CHECK (event IN (${EVENTS_BEFORE})) NOT VALID`);
    for (const index of [
      'invoices_number_prefix_idx',
      'service_points_address_prefix_idx',
      'customers_address_prefix_idx',
      'customers_email_prefix_idx',
      'customers_name_prefix_idx',
      'customers_code_prefix_idx',
    ]) {
      await q.query(`DROP INDEX ${index}`);
    }
    await q.query(`DROP TABLE central_bank_base_rates`);
    await q.query(`ALTER TABLE companies DROP COLUMN late_interest_rule`);
    await q.query(`ALTER TABLE customers DROP COLUMN customer_type`);
    await q.query(`DROP TABLE invoice_vat_summaries`);
    await q.query(`DROP TABLE invoice_lines`);
    await q.query(
      `ALTER TABLE invoices DROP CONSTRAINT invoices_consumption_check1, DROP COLUMN consumption_unit, DROP COLUMN consumption`,
    );
  }
}
