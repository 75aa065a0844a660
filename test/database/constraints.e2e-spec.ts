import { DataSource } from 'typeorm';
import { createTestCompany, openTestDataSource } from '../support/database';
import { createTestCustomer } from '../support/factories';

/**
 * Foreign keys whose referencing side has no company-led index, each with what
 * serves its look-ups instead. Nothing else may join this list.
 */
const FOREIGN_KEYS_WITHOUT_COMPANY_LED_INDEX: Record<string, string> = {
  // payment_allocations_once_key (payment_id, debt_item_id) leads with payment_id, an identity.
  payment_allocations_company_id_payment_id_fkey: 'payment_allocations_once_key',
};

describe('schema constraints', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('give every composite foreign key an index on its columns, company_id first', async () => {
    const rows: Array<{ name: string }> = await dataSource.query(`
      SELECT con.conname AS name
        FROM pg_constraint con
       WHERE con.contype = 'f' AND cardinality(con.conkey) > 1 AND con.connamespace = current_schema()::regnamespace
         AND NOT EXISTS (
               SELECT 1
                 FROM pg_index i
                 CROSS JOIN LATERAL (SELECT string_to_array(i.indkey::text, ' ')::int2[] AS keys) AS k
                WHERE i.indrelid = con.conrelid AND i.indpred IS NULL
                  AND k.keys[1:cardinality(con.conkey)] @> con.conkey
                  AND k.keys[1:cardinality(con.conkey)] <@ con.conkey
                  AND (SELECT a.attname FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = k.keys[1]) = 'company_id')
       ORDER BY 1`);
    expect(rows.map((row) => row.name)).toEqual(Object.keys(FOREIGN_KEYS_WITHOUT_COMPANY_LED_INDEX).sort());
  });

  describe('external_ref', () => {
    let companyId: number;
    let otherCompanyId: number;
    let customerId: number;
    let otherCustomerId: number;
    let meterId: number;
    let otherMeterId: number;

    async function createMeter(company: number, customer: number, serial: string): Promise<number> {
      const [servicePoint]: Array<{ id: string }> = await dataSource.query(
        `INSERT INTO service_points (company_id, customer_id, postcode, town, address) VALUES ($1, $2, '6600', 'Szentes', 'Fő utca 1.')
         RETURNING id`,
        [company, customer],
      );
      const [meter]: Array<{ id: string }> = await dataSource.query(
        `INSERT INTO meters (company_id, service_point_id, serial_number, type, unit) VALUES ($1, $2, $3, 'hot_water', 'm3') RETURNING id`,
        [company, servicePoint.id, serial],
      );
      return Number(meter.id);
    }

    /** What a back-office import does: insert the reading, or correct the one it sent before. */
    async function importReading(company: number, meter: number, ref: string | null, readOn: string, value: number): Promise<void> {
      await dataSource.query(
        `INSERT INTO readings (company_id, meter_id, read_on, value, kind, external_ref) VALUES ($1, $2, $3, $4, 'normal', $5)
         ON CONFLICT (company_id, external_ref) WHERE external_ref IS NOT NULL
         DO UPDATE SET meter_id = EXCLUDED.meter_id, read_on = EXCLUDED.read_on, value = EXCLUDED.value`,
        [company, meter, readOn, value, ref],
      );
    }

    async function insertDebtItem(company: number, customer: number, ref: string | null): Promise<void> {
      await dataSource.query(
        `INSERT INTO debt_items (company_id, customer_id, kind, reference, description, booked_on, amount, open_amount, external_ref)
         VALUES ($1, $2, 'reminder_fee', 'F1', 'Fiz.felsz', '2014-11-10', 550, 550, $3)`,
        [company, customer, ref],
      );
    }

    beforeAll(async () => {
      companyId = await createTestCompany(dataSource);
      otherCompanyId = await createTestCompany(dataSource);
      customerId = (await createTestCustomer(dataSource, companyId)).id;
      otherCustomerId = (await createTestCustomer(dataSource, otherCompanyId)).id;
      meterId = await createMeter(companyId, customerId, 'EXT-1');
      otherMeterId = await createMeter(otherCompanyId, otherCustomerId, 'EXT-1');
    });

    it('lets an import of readings upsert by it, per company', async () => {
      await importReading(companyId, meterId, 'ATHOS-R-1', '2014-10-31', 1073);
      // A correction of the date and value updates the same row.
      await importReading(companyId, meterId, 'ATHOS-R-1', '2014-10-30', 1072);
      await importReading(otherCompanyId, otherMeterId, 'ATHOS-R-1', '2014-10-31', 5);
      await importReading(companyId, meterId, null, '2014-09-30', 1068);
      await importReading(companyId, meterId, null, '2014-09-30', 1068);

      const rows: Array<{ company_id: number; read_on: string; value: string; external_ref: string | null }> = await dataSource.query(
        `SELECT company_id, read_on, value, external_ref FROM readings WHERE company_id IN ($1, $2) ORDER BY company_id, read_on DESC, id`,
        [companyId, otherCompanyId],
      );
      expect(rows).toEqual([
        { company_id: companyId, read_on: '2014-10-30', value: '1072.000', external_ref: 'ATHOS-R-1' },
        { company_id: companyId, read_on: '2014-09-30', value: '1068.000', external_ref: null },
        { company_id: companyId, read_on: '2014-09-30', value: '1068.000', external_ref: null },
        { company_id: otherCompanyId, read_on: '2014-10-31', value: '5.000', external_ref: 'ATHOS-R-1' },
      ]);
    });

    it('is unique per company on debt items, and never empty', async () => {
      await insertDebtItem(companyId, customerId, 'ATHOS-D-1');
      await insertDebtItem(otherCompanyId, otherCustomerId, 'ATHOS-D-1');
      await insertDebtItem(companyId, customerId, null);
      await insertDebtItem(companyId, customerId, null);
      await expect(insertDebtItem(companyId, customerId, 'ATHOS-D-1')).rejects.toThrow(/debt_items_external_ref_key/);
      await expect(insertDebtItem(companyId, customerId, '')).rejects.toThrow(/debt_items_external_ref_check/);
    });
  });

  it('keep request transitions to the workflow states', async () => {
    const companyId = await createTestCompany(dataSource);
    const customer = await createTestCustomer(dataSource, companyId);
    const [request]: Array<{ id: string }> = await dataSource.query(
      `INSERT INTO requests (company_id, customer_id, kind, state, snapshot, machine_version, subject_ref, payload, answer_due_at)
       VALUES ($1, $2, 'meter_reading', 'submitted', '{}', 1, 'meter:1', '{}', now()) RETURNING id`,
      [companyId, customer.id],
    );
    const record = (from: string | null, to: string) =>
      dataSource.query(
        `INSERT INTO request_transitions (company_id, request_id, from_state, to_state, event, actor_kind, actor_id)
         VALUES ($1, $2, $3, $4, 'SUBMIT', 'customer', $5)`,
        [companyId, request.id, from, to, customer.id],
      );

    await record(null, 'submitted');
    await record('submitted', 'in_review');
    await expect(record('submitted', 'reviewing')).rejects.toThrow(/request_transitions_to_state_check/);
    await expect(record('pending', 'in_review')).rejects.toThrow(/request_transitions_from_state_check/);
  });
});
