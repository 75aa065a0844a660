import { DataSource } from 'typeorm';
import { openTestDataSource } from '../support/database';
import { ServicePoints } from '../../src/metering/service-points.service';
import { createMeterWorld } from './fixtures';

/** The e-invoice switch of a service point (the e-invoice request's applier relies on its answer). */
describe('ServicePoints.setEInvoice (real PostgreSQL)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it("switches the customer's own service point and answers false for one that is not theirs", async () => {
    const mine = await createMeterWorld(dataSource);
    const other = await createMeterWorld(dataSource);
    const points = new ServicePoints(dataSource);
    const eInvoiceOf = async (id: number) =>
      ((await dataSource.query(`SELECT e_invoice FROM service_points WHERE id = $1`, [id])) as Array<{ e_invoice: boolean }>)[0].e_invoice;

    expect(await points.setEInvoice(dataSource.manager, mine.companyId, mine.customerId, mine.servicePointId, true)).toBe(true);
    expect(await eInvoiceOf(mine.servicePointId)).toBe(true);
    expect(await points.setEInvoice(dataSource.manager, mine.companyId, mine.customerId, other.servicePointId, true)).toBe(false);
    expect(await points.setEInvoice(dataSource.manager, other.companyId, mine.customerId, mine.servicePointId, false)).toBe(false);
    expect(await eInvoiceOf(other.servicePointId)).toBe(false);
    expect(await eInvoiceOf(mine.servicePointId)).toBe(true);
  });
});
