import { assessReading, findOpenWindow, parseReadingValue, withConsumption } from './reading-rules';

describe('parseReadingValue', () => {
  it.each([
    ['1234', 0, 1234, '1234'],
    ['1234,5', 1, 1234.5, '1234.5'],
    [' 0012.250 ', 3, 12.25, '12.250'],
    ['0', 0, 0, '0'],
  ])('%p with %d decimals → %p', (input, decimals, value, text) => {
    expect(parseReadingValue(input, decimals)).toEqual({ ok: true, value, text });
  });

  it.each([
    ['-1', 0],
    ['abc', 0],
    ['1.5', 0],
    ['1.2345', 3],
    ['1e5', 0],
    ['', 0],
    ['123456789012', 0],
  ])('refuses %p with %d decimals', (input, decimals) => {
    expect(parseReadingValue(input, decimals).ok).toBe(false);
  });
});

describe('findOpenWindow', () => {
  const company = { id: 1, meterId: null, opensOn: '2025-03-01', closesOn: '2025-03-10' };
  const own = { id: 2, meterId: 9, opensOn: '2025-03-05', closesOn: '2025-03-20' };
  const later = { id: 3, meterId: null, opensOn: '2025-04-01', closesOn: '2025-04-10' };

  it('includes both ends and prefers the meter’s own window', () => {
    expect(findOpenWindow([company, own], '2025-03-01')).toEqual({ open: company });
    expect(findOpenWindow([company, own], '2025-03-07')).toEqual({ open: own });
    expect(findOpenWindow([company, own], '2025-03-20')).toEqual({ open: own });
  });

  it('says when the next one opens, or that none is scheduled', () => {
    expect(findOpenWindow([company, later], '2025-03-15')).toEqual({ open: null, nextOpensOn: '2025-04-01' });
    expect(findOpenWindow([company], '2025-03-15')).toEqual({ open: null, nextOpensOn: null });
  });
});

describe('withConsumption', () => {
  it('is the difference to the previous billable reading, oldest first', () => {
    expect(
      withConsumption([
        { readOn: '2025-02-01', value: 110.2 },
        { readOn: '2025-01-01', value: 100.1 },
      ]),
    ).toEqual([
      { readOn: '2025-01-01', value: 100.1, consumption: null, days: null },
      { readOn: '2025-02-01', value: 110.2, consumption: 10.1, days: 31 },
    ]);
  });
});

describe('assessReading', () => {
  // 10 a month in earlier Marches (~0.32/day); last reading 2025-02-01 at 300.
  const history = [
    { readOn: '2023-02-01', value: 100 },
    { readOn: '2023-03-01', value: 110 },
    { readOn: '2024-02-01', value: 200 },
    { readOn: '2024-03-01', value: 210 },
    { readOn: '2025-02-01', value: 300 },
  ];

  it('computes the consumption the value implies, with no hint when usual', () => {
    const result = assessReading({ value: 310, readOn: '2025-03-01', replacement: false, history });
    expect(result.consumption).toBe(10);
    expect(result.hints).toEqual([]);
  });

  it('flags more than twice the usual consumption of the month, with the numbers its sentence is made of', () => {
    // 30 in 28 days (1.071/day) against 0.351/day in earlier Marches: 3.05×.
    expect(assessReading({ value: 330, readOn: '2025-03-01', replacement: false, history }).hints).toEqual([
      { code: 'above_usual', message: '3.1× the usual consumption for this month', ratio: 3.1, daily: 1.071, usualDaily: 0.351 },
    ]);
  });

  it('flags less than half the usual consumption of the month, as a whole percentage', () => {
    expect(assessReading({ value: 302, readOn: '2025-03-01', replacement: false, history }).hints).toEqual([
      { code: 'below_usual', message: 'Only 20% of the usual consumption for this month', percent: 20, daily: 0.071, usualDaily: 0.351 },
    ]);
  });

  it('flags negative consumption with how far below the last billable reading', () => {
    expect(assessReading({ value: 289.5, readOn: '2025-03-01', replacement: false, history }).hints).toEqual([
      { code: 'negative_consumption', message: 'The reading is 10.5 below the last billable one', below: 10.5 },
    ]);
  });

  it('flags a replacement and counts its consumption from zero', () => {
    const result = assessReading({ value: 3, readOn: '2025-03-01', replacement: true, history });
    expect(result.consumption).toBe(3);
    expect(result.hints[0]).toEqual({ code: 'replacement', message: 'The customer reports a meter replacement or rollover' });
  });

  it('rounds the ratio it stores as its message shows it', () => {
    // 20.5 in 28 days against 0.351/day: 2.086×, shown and stored as 2.1.
    const [hint] = assessReading({ value: 320.5, readOn: '2025-03-01', replacement: false, history }).hints;
    expect(hint).toMatchObject({ code: 'above_usual', ratio: 2.1, message: '2.1× the usual consumption for this month' });
  });

  it('without a seasonal baseline, flags a jump against the previous period', () => {
    const recent = [
      { readOn: '2025-01-01', value: 100 },
      { readOn: '2025-02-01', value: 110 },
    ];
    // 50 in 28 days (1.786/day) against 10 in 31 days (0.323/day).
    expect(assessReading({ value: 160, readOn: '2025-03-01', replacement: false, history: recent }).hints).toEqual([
      { code: 'jump', message: '5.5× the consumption of the previous period', ratio: 5.5, daily: 1.786, previousDaily: 0.323 },
    ]);
    expect(assessReading({ value: 125, readOn: '2025-03-01', replacement: false, history: recent }).hints).toEqual([]);
  });

  it('has nothing to compare for a first reading', () => {
    expect(assessReading({ value: 5, readOn: '2025-03-01', replacement: false, history: [] })).toEqual({
      consumption: null,
      days: null,
      usualDaily: null,
      hints: [],
    });
  });
});
