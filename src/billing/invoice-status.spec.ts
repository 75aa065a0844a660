import { invoiceStatus } from './invoice-status';

describe('invoiceStatus', () => {
  const invoice = { dueOn: '2014-11-30', grossTotal: 38837 };

  it('is settled when nothing is open, whatever the date', () => {
    expect(invoiceStatus({ ...invoice, openAmount: 0 }, '2014-11-12')).toBe('settled');
    expect(invoiceStatus({ ...invoice, openAmount: 0 }, '2026-01-01')).toBe('settled');
  });

  it('is current until the end of the due day, overdue from the next day', () => {
    expect(invoiceStatus({ ...invoice, openAmount: 38837 }, '2014-11-30')).toBe('current');
    expect(invoiceStatus({ ...invoice, openAmount: 38837 }, '2014-12-01')).toBe('overdue');
  });

  it('is partially paid before the due date when part is open, overdue after it', () => {
    expect(invoiceStatus({ ...invoice, openAmount: 10000 }, '2014-11-20')).toBe('partially_paid');
    expect(invoiceStatus({ ...invoice, openAmount: 10000 }, '2014-12-01')).toBe('overdue');
  });
});
