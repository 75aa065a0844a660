import { addDays, baseRateOn, halfYearStart, lateInterest } from './late-interest';

// The MNB base rates around the seed's interest item (see the migration for the source).
const RATES = [
  { validFrom: '2013-06-26', rate: 4.25 },
  { validFrom: '2013-07-24', rate: 4.0 },
  { validFrom: '2013-12-18', rate: 3.0 },
  { validFrom: '2014-01-22', rate: 2.85 },
  { validFrom: '2014-06-25', rate: 2.3 },
  { validFrom: '2014-07-23', rate: 2.1 },
];

describe('late-payment interest (Ptk. 6:48, 6:155)', () => {
  it("reproduces the seed's interest item: 66 365 Ft from 2013.10.01 to 2014.11.10 is 2 254 Ft over three half-years", () => {
    const result = lateInterest(66365, '2013-09-30', '2014-11-10', 'household', RATES);
    expect(result.from).toBe('2013-10-01');
    expect(result.days).toBe(406);
    expect(result.segments.map((s) => [s.from, s.to, s.days, s.rate])).toEqual([
      ['2013-10-01', '2013-12-31', 92, 4.25],
      ['2014-01-01', '2014-06-30', 181, 3.0],
      ['2014-07-01', '2014-11-10', 133, 2.3],
    ]);
    expect(result.amount).toBe(2254);
  });

  it('uses the rate valid on the first day of each half-year, not the rate changed within it', () => {
    // 2013-07-24 cut the rate to 4.00, but the half-year began at 4.25.
    const result = lateInterest(100_000, '2013-07-31', '2013-08-30', 'household', RATES);
    expect(result.segments).toEqual([{ from: '2013-08-01', to: '2013-08-30', days: 30, baseRate: 4.25, rate: 4.25, amount: 349 }]);
    expect(result.amount).toBe(349);
  });

  it('splits a delay spanning two half-years and adds 8 points for a business', () => {
    const household = lateInterest(365_000, '2013-12-21', '2014-01-10', 'household', RATES);
    expect(household.segments.map((s) => [s.days, s.rate, s.amount])).toEqual([
      [10, 4.25, 425],
      [10, 3.0, 300],
    ]);
    expect(household.amount).toBe(725);
    const business = lateInterest(365_000, '2013-12-21', '2014-01-10', 'business', RATES);
    expect(business.segments.map((s) => [s.baseRate, s.rate, s.amount])).toEqual([
      [4.25, 12.25, 1225],
      [3.0, 11.0, 1100],
    ]);
    expect(business.amount).toBe(2325);
  });

  it('owes nothing on or before the due date', () => {
    const result = lateInterest(10_000, '2014-11-30', '2014-11-30', 'household', RATES);
    expect(result).toMatchObject({ days: 0, segments: [], amount: 0 });
  });

  it('knows half-years, days and base rates', () => {
    expect(halfYearStart('2014-06-30')).toBe('2014-01-01');
    expect(halfYearStart('2014-07-01')).toBe('2014-07-01');
    expect(addDays('2016-02-28', 1)).toBe('2016-02-29');
    expect(baseRateOn(RATES, '2014-07-01')).toBe(2.3);
    expect(() => baseRateOn(RATES, '2000-01-01')).toThrow(RangeError);
  });
});
