import { formatDate, formatMoney, todayInHungary } from './format';

const nbsp = '\u00a0';

describe('formatMoney', () => {
  it.each([
    [38837, `38${nbsp}837${nbsp}Ft`],
    [0, `0${nbsp}Ft`],
    [550, `550${nbsp}Ft`],
    [1000, `1${nbsp}000${nbsp}Ft`],
    [1234567, `1${nbsp}234${nbsp}567${nbsp}Ft`],
    [-2254, `-2${nbsp}254${nbsp}Ft`],
    [-305, `-305${nbsp}Ft`],
  ])('formats %p as %p', (amount, text) => {
    expect(formatMoney(amount)).toBe(text);
  });

  it('refuses fractions, since money is whole forints', () => {
    expect(() => formatMoney(12.5)).toThrow(RangeError);
    expect(() => formatMoney(Number.NaN)).toThrow(RangeError);
  });
});

describe('formatDate', () => {
  it('formats ISO dates as the seed does', () => {
    expect(formatDate('2014-11-30')).toBe('2014.11.30');
    expect(formatDate('2007-01-05T10:00:00Z')).toBe('2007.01.05');
  });

  it('shows a timestamp in Hungarian local time', () => {
    // 23:30 UTC on the 30th is already the 1st in Budapest (UTC+1 in winter).
    expect(formatDate(new Date('2014-11-30T23:30:00Z'))).toBe('2014.12.01');
  });

  it('refuses what is not a date', () => {
    expect(() => formatDate('30/11/2014')).toThrow(RangeError);
    expect(() => formatDate(new Date('nope'))).toThrow(RangeError);
  });
});

describe('todayInHungary', () => {
  it.each([
    ['2026-11-26T22:59:00Z', '2026-11-26'],
    ['2026-11-26T23:00:00Z', '2026-11-27'],
    ['2026-07-01T21:59:00Z', '2026-07-01'],
    ['2026-07-01T22:00:00Z', '2026-07-02'],
  ])('gives the Hungarian calendar day of %s as %s (CET in winter, CEST in summer)', (instant, day) => {
    expect(todayInHungary(new Date(instant))).toBe(day);
  });
});
