import { splitIntoLines, vatRateFor, vatSummary } from './invoice-lines';

describe('demo invoice lines', () => {
  it('split a gross total into lines and a VAT summary that add up to it exactly', () => {
    for (const gross of [38837, 25785, 1, 99999]) {
      const lines = splitIntoLines(gross, 5, [
        { description: 'Alapdíj', quantity: 1, unit: 'hó', share: 0.4 },
        { description: 'Hődíj', quantity: 2.5, unit: 'GJ', share: 0.6 },
      ]);
      expect(lines.reduce((sum, line) => sum + line.grossAmount, 0)).toBe(gross);
      for (const line of lines) expect(line.netAmount + line.vatAmount).toBe(line.grossAmount);
      const [summary] = vatSummary(lines);
      expect(summary).toEqual({
        vatRate: 5,
        netAmount: lines[0].netAmount + lines[1].netAmount,
        vatAmount: lines[0].vatAmount + lines[1].vatAmount,
        grossAmount: gross,
      });
    }
  });

  it('price district heating at 5% and water at 27% VAT', () => {
    expect(vatRateFor('district_heating')).toBe(5);
    expect(vatRateFor('water')).toBe(27);
    const [line] = splitIntoLines(1270, 27, [{ description: 'Vízdíj', quantity: 2, unit: 'm3', share: 1 }]);
    expect(line).toMatchObject({ netAmount: 1000, vatAmount: 270, unitPrice: 500 });
  });
});
