import { CustomerData } from '../identity/customer-records.service';
import { checkDataChange, normalisePhone, ProfileRules } from './customer-data-rules';
import { postcodeMatchesTown } from './postcodes';

const current: CustomerData = {
  name: 'Minta Ügyfél',
  email: 'demo@ugyfelportal.local',
  phone: null,
  postcode: '6600',
  town: 'Szentes',
  address: 'Fő utca 1.',
  paymentMethod: 'postal_order',
};
const rules: ProfileRules = {
  editableFields: ['email', 'phone', 'postcode', 'town', 'address', 'paymentMethod'],
  paymentMethods: ['postal_order', 'bank_transfer'],
};

describe('normalisePhone', () => {
  it.each([
    ['+36 30 123 4567', '+36 30 123 4567'],
    ['06301234567', '+36 30 123 4567'],
    ['06-1-234-5678', '+36 1 234 5678'],
    ['+36 (62) 123-456', '+36 62 123 456'],
    ['06 70 / 987 6543', '+36 70 987 6543'],
  ])('%s → %s', (input, expected) => expect(normalisePhone(input)).toBe(expected));

  it.each(['123', '+49 30 1234567', '0630123456', '06 30 123 45678', '06 1 234 567', '06 62 123 4567', '+36 30 123 456'])(
    'refuses %s',
    (input) => expect(normalisePhone(input)).toBeNull(),
  );
});

describe('postcodeMatchesTown', () => {
  it('knows Budapest by rule and listed towns by their postcodes', () => {
    expect(postcodeMatchesTown('1111', 'Budapest')).toBe(true);
    expect(postcodeMatchesTown('1111', 'Szeged')).toBe(false);
    expect(postcodeMatchesTown('6720', 'szeged')).toBe(true);
    expect(postcodeMatchesTown('6720', 'Szentes')).toBe(false);
    expect(postcodeMatchesTown('4000', 'Budapest')).toBe(false);
  });

  it('accepts a postcode the shipped list does not know, with any town', () => {
    expect(postcodeMatchesTown('6642', 'Csongrád')).toBe(true);
  });
});

describe('checkDataChange', () => {
  it('keeps only the fields that change, old and new, normalised', () => {
    expect(
      checkDataChange(current, { email: ' Uj@Example.hu ', phone: '06301234567', address: 'Fő utca 1.', postcode: '6600' }, rules),
    ).toEqual({
      ok: true,
      changes: {
        email: { from: 'demo@ugyfelportal.local', to: 'uj@example.hu' },
        phone: { from: null, to: '+36 30 123 4567' },
      },
    });
  });

  it('checks the postcode against the town whenever either changes', () => {
    expect(checkDataChange(current, { postcode: '6720' }, rules)).toMatchObject({
      ok: false,
      errors: [{ field: 'town', code: 'postcode_town' }],
    });
    expect(checkDataChange(current, { postcode: '6720', town: 'Szeged' }, rules)).toMatchObject({ ok: true });
    expect(checkDataChange(current, { postcode: '672' }, rules)).toMatchObject({
      ok: false,
      errors: [{ field: 'postcode', code: 'invalid_postcode' }],
    });
  });

  it('refuses what the company does not allow, bad addresses, numbers and payment methods, and empty required fields', () => {
    const result = checkDataChange(
      current,
      { name: 'Más Név', email: 'nem-email', phone: '123', paymentMethod: 'card', address: '' },
      rules,
    );
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { field: 'email', code: 'invalid_email' },
        { field: 'phone', code: 'invalid_phone' },
        { field: 'address', code: 'required' },
        { field: 'paymentMethod', code: 'invalid_payment_method' },
        { field: 'name', code: 'not_editable' },
      ],
    });
  });

  it('lets the customer remove the phone number', () => {
    expect(checkDataChange({ ...current, phone: '+36 30 123 4567' }, { phone: '' }, rules)).toEqual({
      ok: true,
      changes: { phone: { from: '+36 30 123 4567', to: null } },
    });
  });
});
