import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole data model of the portal. Every table carries company_id, and every
 * index a list pages through starts with company_id. Money is whole forints.
 */
export class InitialSchema1764201600000 implements MigrationInterface {
  name = 'InitialSchema1764201600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE companies (
        id          integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        code        text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9-]{2,40}$'),
        name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);

    // Billing master data pushed in by the billing back office.
    await q.query(`
      CREATE TABLE customers (
        id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id      integer NOT NULL REFERENCES companies(id),
        code            text NOT NULL CHECK (code ~ '^[A-Z0-9]{2,20}$'),
        name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        email           text CHECK (email IS NULL OR length(email) <= 254),
        phone           text CHECK (phone IS NULL OR length(phone) <= 40),
        postcode        text NOT NULL CHECK (postcode ~ '^[0-9]{4}$'),
        town            text NOT NULL CHECK (length(town) BETWEEN 1 AND 100),
        address         text NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
        payment_method  text NOT NULL DEFAULT 'postal_order'
                        CHECK (payment_method IN ('postal_order', 'bank_transfer', 'direct_debit', 'card')),
        e_invoice       boolean NOT NULL DEFAULT false,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT customers_company_code_key UNIQUE (company_id, code),
        CONSTRAINT customers_company_id_key UNIQUE (company_id, id)
      )`);
    await q.query(`CREATE INDEX customers_company_name_idx ON customers (company_id, name, id)`);

    // The portal login of a customer. Deleting an account removes this row only:
    // the billing records above stay, and the customer can register again.
    await q.query(`
      CREATE TABLE customer_accounts (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id         integer NOT NULL,
        customer_id        bigint NOT NULL,
        login_email        text NOT NULL CHECK (length(login_email) BETWEEN 3 AND 254),
        password_hash      text,
        email_verified_at  timestamptz,
        language           text NOT NULL DEFAULT 'hu' CHECK (language IN ('hu', 'en')),
        created_at         timestamptz NOT NULL DEFAULT now(),
        last_login_at      timestamptz,
        FOREIGN KEY (company_id, customer_id) REFERENCES customers(company_id, id) ON DELETE CASCADE,
        CONSTRAINT customer_accounts_customer_key UNIQUE (company_id, customer_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX customer_accounts_company_email_key ON customer_accounts (company_id, lower(login_email))`);

    await q.query(`
      CREATE TABLE clerks (
        id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id     integer NOT NULL REFERENCES companies(id),
        email          text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
        name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        role           text NOT NULL CHECK (role IN ('clerk', 'supervisor', 'admin')),
        password_hash  text NOT NULL,
        totp_secret    text,
        active         boolean NOT NULL DEFAULT true,
        created_at     timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT clerks_company_id_key UNIQUE (company_id, id)
      )`);
    await q.query(`CREATE UNIQUE INDEX clerks_company_email_key ON clerks (company_id, lower(email))`);

    await q.query(`
      CREATE TABLE service_points (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id   integer NOT NULL,
        customer_id  bigint NOT NULL,
        postcode     text NOT NULL CHECK (postcode ~ '^[0-9]{4}$'),
        town         text NOT NULL CHECK (length(town) BETWEEN 1 AND 100),
        address      text NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
        e_invoice    boolean NOT NULL DEFAULT false,
        FOREIGN KEY (company_id, customer_id) REFERENCES customers(company_id, id),
        CONSTRAINT service_points_company_id_key UNIQUE (company_id, id)
      )`);
    await q.query(`CREATE INDEX service_points_customer_idx ON service_points (company_id, customer_id)`);

    await q.query(`
      CREATE TABLE meters (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id        integer NOT NULL,
        service_point_id  bigint NOT NULL,
        serial_number     text NOT NULL CHECK (length(serial_number) BETWEEN 1 AND 40),
        type              text NOT NULL CHECK (type IN ('hot_water', 'cold_water', 'heat', 'gas')),
        unit              text NOT NULL CHECK (unit IN ('m3', 'kWh', 'GJ')),
        decimals          smallint NOT NULL DEFAULT 0 CHECK (decimals BETWEEN 0 AND 3),
        calibrated_at     date,
        provider_reading_period text CHECK (provider_reading_period IS NULL OR length(provider_reading_period) <= 100),
        FOREIGN KEY (company_id, service_point_id) REFERENCES service_points(company_id, id),
        CONSTRAINT meters_company_serial_key UNIQUE (company_id, serial_number),
        CONSTRAINT meters_company_id_key UNIQUE (company_id, id)
      )`);
    await q.query(`CREATE INDEX meters_service_point_idx ON meters (company_id, service_point_id)`);

    // A window with no meter applies to every meter of the company.
    await q.query(`
      CREATE TABLE reading_windows (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id  integer NOT NULL REFERENCES companies(id),
        meter_id    bigint,
        opens_on    date NOT NULL,
        closes_on   date NOT NULL,
        FOREIGN KEY (company_id, meter_id) REFERENCES meters(company_id, id),
        CHECK (closes_on >= opens_on)
      )`);
    await q.query(`CREATE INDEX reading_windows_lookup_idx ON reading_windows (company_id, meter_id, opens_on)`);

    await q.query(`
      CREATE TABLE readings (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id  integer NOT NULL,
        meter_id    bigint NOT NULL,
        read_on     date NOT NULL,
        value       numeric(14, 3) NOT NULL CHECK (value >= 0),
        kind        text NOT NULL CHECK (kind IN ('normal', 'estimated', 'customer')),
        billable    boolean NOT NULL DEFAULT true,
        request_id  bigint,
        created_at  timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (company_id, meter_id) REFERENCES meters(company_id, id)
      )`);
    await q.query(`CREATE INDEX readings_meter_date_idx ON readings (company_id, meter_id, read_on DESC)`);
    // Applying a customer's reading twice must not add a second row.
    await q.query(`CREATE UNIQUE INDEX readings_request_key ON readings (request_id) WHERE request_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE invoices (
        id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id        integer NOT NULL,
        customer_id       bigint NOT NULL,
        service_point_id  bigint,
        invoice_number    text NOT NULL CHECK (length(invoice_number) BETWEEN 1 AND 40),
        type              text NOT NULL CHECK (type IN ('district_heating', 'hot_water', 'water', 'gas')),
        period            date NOT NULL,
        issued_on         date NOT NULL,
        due_on            date NOT NULL,
        gross_total       integer NOT NULL CHECK (gross_total >= 0),
        open_amount       integer NOT NULL CHECK (open_amount >= 0 AND open_amount <= gross_total),
        FOREIGN KEY (company_id, customer_id) REFERENCES customers(company_id, id),
        FOREIGN KEY (company_id, service_point_id) REFERENCES service_points(company_id, id),
        CONSTRAINT invoices_company_number_key UNIQUE (company_id, invoice_number),
        CONSTRAINT invoices_company_id_key UNIQUE (company_id, id),
        CHECK (due_on >= issued_on)
      )`);
    await q.query(`CREATE INDEX invoices_customer_idx ON invoices (company_id, customer_id, due_on DESC, id DESC)`);
    await q.query(`CREATE INDEX invoices_open_due_idx ON invoices (company_id, due_on) WHERE open_amount > 0`);

    await q.query(`
      CREATE TABLE debt_items (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id   integer NOT NULL,
        customer_id  bigint NOT NULL,
        invoice_id   bigint,
        kind         text NOT NULL CHECK (kind IN ('invoice', 'interest', 'reminder_fee')),
        reference    text NOT NULL CHECK (length(reference) BETWEEN 1 AND 60),
        description  text NOT NULL CHECK (length(description) BETWEEN 1 AND 200),
        booked_on    date NOT NULL,
        amount       integer NOT NULL CHECK (amount > 0),
        open_amount  integer NOT NULL CHECK (open_amount >= 0 AND open_amount <= amount),
        FOREIGN KEY (company_id, customer_id) REFERENCES customers(company_id, id),
        FOREIGN KEY (company_id, invoice_id) REFERENCES invoices(company_id, id),
        CONSTRAINT debt_items_company_id_key UNIQUE (company_id, id),
        CHECK ((kind = 'invoice') = (invoice_id IS NOT NULL) OR kind = 'interest')
      )`);
    await q.query(`CREATE INDEX debt_items_customer_idx ON debt_items (company_id, customer_id, booked_on DESC, id DESC)`);

    await q.query(`
      CREATE TABLE payments (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id         integer NOT NULL,
        customer_id        bigint NOT NULL,
        amount             integer NOT NULL CHECK (amount > 0),
        status             text NOT NULL CHECK (status IN ('pending', 'confirmed', 'failed', 'cancelled')),
        gateway_reference  text,
        created_at         timestamptz NOT NULL DEFAULT now(),
        confirmed_at       timestamptz,
        FOREIGN KEY (company_id, customer_id) REFERENCES customers(company_id, id),
        CONSTRAINT payments_company_id_key UNIQUE (company_id, id),
        CHECK ((status = 'confirmed') = (confirmed_at IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX payments_customer_idx ON payments (company_id, customer_id, created_at DESC, id DESC)`);
    await q.query(
      `CREATE UNIQUE INDEX payments_gateway_reference_key ON payments (company_id, gateway_reference) WHERE gateway_reference IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE payment_allocations (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id    integer NOT NULL,
        payment_id    bigint NOT NULL,
        debt_item_id  bigint NOT NULL,
        amount        integer NOT NULL CHECK (amount > 0),
        FOREIGN KEY (company_id, payment_id) REFERENCES payments(company_id, id),
        FOREIGN KEY (company_id, debt_item_id) REFERENCES debt_items(company_id, id),
        CONSTRAINT payment_allocations_once_key UNIQUE (payment_id, debt_item_id)
      )`);
    await q.query(`CREATE INDEX payment_allocations_debt_item_idx ON payment_allocations (company_id, debt_item_id)`);

    // A message with no customer goes to every customer of the company.
    await q.query(`
      CREATE TABLE messages (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id         integer NOT NULL REFERENCES companies(id),
        customer_id        bigint,
        subject            text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
        body               text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
        published_at       timestamptz NOT NULL DEFAULT now(),
        created_by_clerk_id integer,
        FOREIGN KEY (company_id, customer_id) REFERENCES customers(company_id, id),
        FOREIGN KEY (company_id, created_by_clerk_id) REFERENCES clerks(company_id, id),
        CONSTRAINT messages_company_id_key UNIQUE (company_id, id)
      )`);
    await q.query(`CREATE INDEX messages_inbox_idx ON messages (company_id, customer_id, published_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE message_reads (
        company_id   integer NOT NULL,
        message_id   bigint NOT NULL,
        customer_id  bigint NOT NULL,
        read_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, customer_id, message_id),
        FOREIGN KEY (company_id, message_id) REFERENCES messages(company_id, id) ON DELETE CASCADE,
        FOREIGN KEY (company_id, customer_id) REFERENCES customers(company_id, id)
      )`);

    await q.query(`
      CREATE TABLE notification_preferences (
        company_id   integer NOT NULL,
        customer_id  bigint NOT NULL,
        topic        text NOT NULL CHECK (topic IN (
                       'reading_recorded', 'address_changed', 'contract_ended', 'invoice_issued',
                       'provider_reading_date', 'reading_window_due', 'payment_checked',
                       'invoice_overdue', 'due_date_reminder')),
        email        boolean NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (company_id, customer_id, topic),
        FOREIGN KEY (company_id, customer_id) REFERENCES customers(company_id, id)
      )`);

    await q.query(`
      CREATE TABLE requests (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id         integer NOT NULL,
        customer_id        bigint NOT NULL,
        kind               text NOT NULL CHECK (kind ~ '^[a-z_]{2,40}$'),
        state              text NOT NULL CHECK (state IN (
                             'submitted', 'in_review', 'approved', 'applied',
                             'rejected', 'withdrawn', 'apply_failed')),
        snapshot           jsonb NOT NULL,
        machine_version    integer NOT NULL CHECK (machine_version > 0),
        version            integer NOT NULL DEFAULT 1 CHECK (version > 0),
        subject_ref        text NOT NULL,
        payload            jsonb NOT NULL,
        flagged            boolean NOT NULL DEFAULT false,
        assigned_clerk_id  integer,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (company_id, customer_id) REFERENCES customers(company_id, id),
        FOREIGN KEY (company_id, assigned_clerk_id) REFERENCES clerks(company_id, id),
        CONSTRAINT requests_company_id_key UNIQUE (company_id, id)
      )`);
    // The clerk work queue: open requests, oldest first, paged by (created_at, id).
    await q.query(`
      CREATE INDEX requests_queue_idx ON requests (company_id, created_at, id)
      WHERE state IN ('submitted', 'in_review', 'apply_failed')`);
    await q.query(`CREATE INDEX requests_customer_idx ON requests (company_id, customer_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE request_transitions (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id   integer NOT NULL,
        request_id   bigint NOT NULL,
        from_state   text,
        to_state     text NOT NULL,
        event        text NOT NULL,
        actor_kind   text NOT NULL CHECK (actor_kind IN ('customer', 'clerk', 'system')),
        actor_id     bigint,
        comment      text CHECK (comment IS NULL OR length(comment) <= 2000),
        created_at   timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (company_id, request_id) REFERENCES requests(company_id, id)
      )`);
    await q.query(`CREATE INDEX request_transitions_request_idx ON request_transitions (company_id, request_id, id)`);
    await q.query(`
      CREATE FUNCTION refuse_change_to_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
      END $$`);
    await q.query(`
      CREATE TRIGGER request_transitions_append_only
      BEFORE UPDATE OR DELETE ON request_transitions
      FOR EACH ROW EXECUTE FUNCTION refuse_change_to_append_only()`);

    // Work to do after a commit; relayed to BullMQ with the row id as job id.
    await q.query(`
      CREATE TABLE outbox (
        id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id  integer REFERENCES companies(id),
        queue       text NOT NULL,
        job_name    text NOT NULL,
        payload     jsonb NOT NULL,
        created_at  timestamptz NOT NULL DEFAULT now(),
        relayed_at  timestamptz
      )`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (id) WHERE relayed_at IS NULL`);

    await q.query(`
      CREATE TABLE email_log (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id   integer REFERENCES companies(id),
        template     text NOT NULL,
        language     text NOT NULL CHECK (language IN ('hu', 'en')),
        recipient    text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
        params       jsonb NOT NULL,
        status       text NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
        attempts     integer NOT NULL DEFAULT 0,
        last_error   text,
        message_id   text,
        created_at   timestamptz NOT NULL DEFAULT now(),
        sent_at      timestamptz
      )`);
    await q.query(`CREATE INDEX email_log_company_idx ON email_log (company_id, created_at DESC, id DESC)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'email_log',
      'outbox',
      'request_transitions',
      'requests',
      'notification_preferences',
      'message_reads',
      'messages',
      'payment_allocations',
      'payments',
      'debt_items',
      'invoices',
      'readings',
      'reading_windows',
      'meters',
      'service_points',
      'clerks',
      'customer_accounts',
      'customers',
      'companies',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query(`DROP FUNCTION refuse_change_to_append_only()`);
  }
}
