import { DataSource } from 'typeorm';
import { createTestCompany, openTestDataSource } from '../support/database';
import { ChangeRequest } from '../../src/approval/request.entity';
import { Customer } from '../../src/identity/customer.entity';
import { Meter } from '../../src/metering/meter.entity';
import { Reading } from '../../src/metering/reading.entity';
import { ServicePoint } from '../../src/metering/service-point.entity';

/** The entities read and write what the columns hold: numbers for ids and numeric, strings for dates. */
describe('entity round trip', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('saves through identity columns and loads typed values back', async () => {
    const companyId = await createTestCompany(dataSource);
    const customer = await dataSource.getRepository(Customer).save({
      companyId,
      code: 'SU0044',
      name: 'Minta Anna',
      email: null,
      phone: null,
      postcode: '1111',
      town: 'Budapest',
      address: 'Fő utca 1.',
    });
    expect(typeof customer.id).toBe('number');

    const servicePoint = await dataSource
      .getRepository(ServicePoint)
      .save({ companyId, customerId: customer.id, postcode: '1111', town: 'Budapest', address: 'Fő utca 1.' });
    const meter = await dataSource.getRepository(Meter).save({
      companyId,
      servicePointId: servicePoint.id,
      serialNumber: 'M-1',
      type: 'hot_water',
      unit: 'm3',
      decimals: 3,
      calibratedAt: '2007-11-30',
      providerReadingPeriod: null,
    });
    const saved = await dataSource
      .getRepository(Reading)
      .save({ companyId, meterId: meter.id, readOn: '2014-11-30', value: 12345678901.234, kind: 'customer', requestId: null });

    const reading = await dataSource.getRepository(Reading).findOneByOrFail({ id: saved.id });
    expect(reading).toMatchObject({ companyId, meterId: meter.id, readOn: '2014-11-30', value: 12345678901.234, billable: true });
    expect(reading.createdAt).toBeInstanceOf(Date);
    const loadedMeter = await dataSource.getRepository(Meter).findOneByOrFail({ id: meter.id });
    expect(loadedMeter).toMatchObject({ servicePointId: servicePoint.id, calibratedAt: '2007-11-30', decimals: 3 });
    const loadedCustomer = await dataSource.getRepository(Customer).findOneByOrFail({ id: customer.id });
    expect(loadedCustomer).toMatchObject({ paymentMethod: 'postal_order', eInvoice: false });
  });

  it('stores jsonb and defaults of a request', async () => {
    const companyId = await createTestCompany(dataSource);
    const customer = await dataSource.getRepository(Customer).save({
      companyId,
      code: 'SU0045',
      name: 'Minta Béla',
      email: null,
      phone: null,
      postcode: '1111',
      town: 'Budapest',
      address: 'Fő utca 2.',
    });
    const saved = await dataSource.getRepository(ChangeRequest).save({
      companyId,
      customerId: customer.id,
      kind: 'meter_reading',
      state: 'submitted',
      snapshot: { value: 'submitted', status: 'active' },
      machineVersion: 1,
      subjectRef: 'meter:1',
      answerDueAt: new Date('2026-12-15T10:00:00Z'),
      payload: { value: 12.5 },
      assignedClerkId: null,
    });
    const request = await dataSource.getRepository(ChangeRequest).findOneByOrFail({ id: saved.id });
    expect(request).toMatchObject({ version: 1, flagged: false, payload: { value: 12.5 }, snapshot: { value: 'submitted' } });
  });
});
