import { DataSource } from 'typeorm';
import { openTestDataSource } from '../support/database';
import { CustomerRecords } from '../../src/identity/customer-records.service';
import { createMeterWorld } from '../metering/fixtures';

/** The applier of a data change writes the customer record and says whether it changed (export only then). */
describe('CustomerRecords.apply (real PostgreSQL)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('writes the new values once: a second apply of the same values changes nothing and says so', async () => {
    const { companyId, customerId } = await createMeterWorld(dataSource);
    const records = new CustomerRecords(dataSource);
    expect(await records.apply(dataSource.manager, companyId, customerId, { phone: '+36 30 123 4567' })).toBe(true);
    expect((await records.read(dataSource.manager, companyId, customerId))?.phone).toBe('+36 30 123 4567');
    expect(await records.apply(dataSource.manager, companyId, customerId, { phone: '+36 30 123 4567' })).toBe(false);
  });
});
