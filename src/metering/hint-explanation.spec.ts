import { assessReading } from './reading-rules';
import { hintExplanation } from './hint-explanation';

describe('hintExplanation', () => {
  const aboveUsual = {
    code: 'above_usual',
    message: '2.4× the usual consumption for this month',
    ratio: 2.4,
    daily: 1.071,
    usualDaily: 0.45,
  };

  it('says a hint in Hungarian with decimal commas and the meter unit', () => {
    expect(hintExplanation('hu', aboveUsual, 'm³')).toBe(
      '2,4× annyi, mint az adott hónapban szokásos napi fogyasztás: napi 1,071 m³ a szokásos 0,45 m³ helyett',
    );
    expect(hintExplanation('hu', { code: 'jump', message: '…', ratio: 79, daily: 26.333, previousDaily: 0.333 }, 'm³')).toBe(
      '79,0× annyi, mint az előző időszak napi fogyasztása: napi 26,333 m³ az előző 0,333 m³ helyett',
    );
    expect(hintExplanation('hu', { code: 'below_usual', message: '…', percent: 20, daily: 0.071, usualDaily: 0.351 }, 'GJ')).toBe(
      'Csak 20%-a az adott hónapban szokásos napi fogyasztásnak: napi 0,071 GJ a szokásos 0,351 GJ helyett',
    );
    expect(hintExplanation('hu', { code: 'negative_consumption', message: '…', below: 10.5 }, 'kWh')).toBe(
      'Az állás kisebb az utolsó elszámolt leolvasásnál, a különbség 10,5 kWh',
    );
    expect(hintExplanation('hu', { code: 'replacement', message: '…' }, 'm³')).toBe('Az ügyfél mérőcserét vagy átfordulást jelzett');
  });

  it('says it in English with decimal points, without thousands separators', () => {
    expect(hintExplanation('en', { ...aboveUsual, daily: 12345.5 }, 'm³')).toBe(
      '2.4× the usual daily consumption for this month: 12345.5 m³ a day instead of 0.45 m³',
    );
  });

  it('leaves the unit out when it is not known', () => {
    expect(hintExplanation('hu', { code: 'negative_consumption', message: '…', below: 3 }, '')).toBe(
      'Az állás kisebb az utolsó elszámolt leolvasásnál, a különbség 3',
    );
  });

  it('explains every hint the rules give', () => {
    const history = [
      { readOn: '2024-02-01', value: 200 },
      { readOn: '2024-03-01', value: 210 },
      { readOn: '2025-02-01', value: 300 },
    ];
    const hints = [
      ...assessReading({ value: 330, readOn: '2025-03-01', replacement: true, history }).hints,
      ...assessReading({ value: 302, readOn: '2025-03-01', replacement: false, history }).hints,
      ...assessReading({ value: 290, readOn: '2025-03-01', replacement: false, history }).hints,
      ...assessReading({ value: 2000, readOn: '2025-04-01', replacement: false, history: history.slice(0, 2) }).hints,
    ];
    expect(hints.map((h) => h.code).sort()).toEqual(['above_usual', 'below_usual', 'jump', 'negative_consumption', 'replacement']);
    for (const hint of hints) {
      expect(hintExplanation('hu', hint, 'm³')).not.toBe(hint.message);
      expect(hintExplanation('en', hint, 'm³')).toMatch(/^[A-Z0-9]/);
    }
  });

  it('falls back to the stored English message for a hint stored without its numbers', () => {
    expect(hintExplanation('hu', { code: 'above_usual', message: '2.4× the usual consumption for this month' }, 'm³')).toBe(
      '2.4× the usual consumption for this month',
    );
    expect(hintExplanation('hu', { ...aboveUsual, daily: '1.071' }, 'm³')).toBe(aboveUsual.message);
    expect(hintExplanation('hu', { code: 'something_new', message: 'A newer hint' }, 'm³')).toBe('A newer hint');
    expect(hintExplanation('hu', { code: 'toString', message: 'Odd' }, 'm³')).toBe('Odd');
  });
});
