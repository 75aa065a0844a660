/** One VAT rate's totals of an invoice (ÁFA összesítő), in whole forints. */
export interface VatSummaryRow {
  vatRate: number;
  netAmount: number;
  vatAmount: number;
  grossAmount: number;
}

/** The VAT summary of invoice lines: per rate, the sums of their amounts, by rate ascending. */
export function vatSummary(lines: readonly VatSummaryRow[]): VatSummaryRow[] {
  const byRate = new Map<number, VatSummaryRow>();
  for (const line of lines) {
    const sum = byRate.get(line.vatRate) ?? { vatRate: line.vatRate, netAmount: 0, vatAmount: 0, grossAmount: 0 };
    sum.netAmount += line.netAmount;
    sum.vatAmount += line.vatAmount;
    sum.grossAmount += line.grossAmount;
    byRate.set(line.vatRate, sum);
  }
  return [...byRate.values()].sort((a, b) => a.vatRate - b.vatRate);
}
