import { parseForintAmount } from './amount';

describe('parseForintAmount', () => {
  it.each([
    ['38837', 38837],
    ['38 837', 38837],
    ['38\u00a0837', 38837],
    ['38\u202f837', 38837],
    ['38 837 Ft', 38837],
    ['38837Ft', 38837],
    ['38 837 ft', 38837],
    ['38.837', 38837],
    ['1.234.567', 1234567],
    ['38 837,-', 38837],
    ['  38837  ', 38837],
    ['0', 0],
  ])('reads %j as %d', (input, expected) => {
    expect(parseForintAmount(input)).toBe(expected);
  });

  it.each([
    '',
    ' ',
    'Ft',
    '-38837',
    '−38837',
    '+38837',
    '38837.5',
    '38837,50',
    '38,837',
    '3.88.37',
    '38.8370',
    '1e5',
    '0x10',
    'abc',
    '<script>',
    "1'; DROP TABLE invoices; --",
    '38837 EUR',
    '99999999999',
    '2147483648',
  ])('refuses %j', (input) => {
    expect(parseForintAmount(input)).toBeNull();
  });

  it('accepts the largest amount the database column holds', () => {
    expect(parseForintAmount('2147483647')).toBe(2_147_483_647);
  });
});
