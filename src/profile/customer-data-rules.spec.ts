import { CustomerData } from '../identity/customer-records.service';
import { checkDataChange, normalisePhone, ProfileRules } from './customer-data-rules';
import { isKnownPostcode, postcodeMatchesTown } from './postcodes';

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

describe('postcodes', () => {
  it('matches a postcode with its towns, Budapest included', () => {
    expect(postcodeMatchesTown('1111', 'Budapest')).toBe(true);
    expect(postcodeMatchesTown('1111', 'Szeged')).toBe(false);
    expect(postcodeMatchesTown('6720', 'szeged')).toBe(true);
    expect(postcodeMatchesTown('6720', 'Szentes')).toBe(false);
    expect(postcodeMatchesTown('4000', 'Budapest')).toBe(false);
  });

  it('knows a postcode shared by villages, and the street-level postcodes of the large cities', () => {
    expect(postcodeMatchesTown('2655', 'Szente')).toBe(true);
    expect(postcodeMatchesTown('2655', 'Kétbodony')).toBe(true);
    expect(postcodeMatchesTown('3535', 'Miskolc')).toBe(true);
    expect(postcodeMatchesTown('6640', 'Csongrád')).toBe(true);
  });

  it('knows the whole national list and no made-up postcode', () => {
    expect(isKnownPostcode('1239')).toBe(true);
    expect(isKnownPostcode('9985')).toBe(true);
    expect(isKnownPostcode('1019')).toBe(false);
    expect(isKnownPostcode('0000')).toBe(false);
    expect(postcodeMatchesTown('1019', 'Budapest')).toBe(false);
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

  it('refuses a postcode that does not exist, whatever the town', () => {
    expect(checkDataChange(current, { postcode: '6699', town: 'Szentes' }, rules)).toMatchObject({
      ok: false,
      errors: [{ field: 'postcode', code: 'unknown_postcode' }],
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
