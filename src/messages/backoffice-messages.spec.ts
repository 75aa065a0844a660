import { audienceOf } from './backoffice-messages.controller';
import { formValues } from './backoffice-messages.pages';

describe('a message’s audience', () => {
  it('is one customer by id or code, or the segment of the filters given (none: everyone)', () => {
    expect(audienceOf({ customerId: 7 })).toEqual({ customerId: 7 });
    expect(audienceOf({ customerCode: 'SU0044' })).toEqual({ customerCode: 'SU0044' });
    expect(audienceOf({ town: ' Szentes ', serviceType: 'gas', overdue: false })).toEqual({
      segment: { town: 'Szentes', serviceType: 'gas' },
    });
    expect(audienceOf({ customerCode: '  ', town: '' })).toEqual({ segment: {} });
  });

  it('is refused as ambiguous when it names a customer and filters', () => {
    expect(audienceOf({ customerId: 7, overdue: true })).toBe('both');
    expect(audienceOf({ customerCode: 'SU0044', town: 'Szentes' })).toBe('both');
  });

  it('reads the form’s fields as plain values, whatever was posted', () => {
    expect(formValues({ audience: 'customer', customerCode: 'SU0044', overdue: 'on', bodyFormat: 'html', subject: ['a'] })).toEqual({
      audience: 'customer',
      customerCode: 'SU0044',
      town: '',
      serviceType: '',
      subject: '',
      body: '',
      bodyFormat: 'plain',
      overdue: true,
      byEmail: false,
    });
    expect(formValues(undefined).audience).toBe('segment');
  });
});
