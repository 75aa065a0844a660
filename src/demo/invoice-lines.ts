/**
 * The demo back office's invoice lines: a gross total split into priced lines and a
 * VAT summary, in whole forints, so that the lines' gross amounts and the summary
 * add up to the invoice's total exactly.
 */

export { vatSummary } from '../billing/vat-summary';

export interface DemoLinePlan {
  description: string;
  quantity: number;
  unit: string;
  /** This line's share of the gross total; the last line takes what is left. */
  share: number;
}

export interface DemoInvoiceLine {
  lineNo: number;
  description: string;
  quantity: number;
  unit: string;
  unitPrice: number;
  vatRate: number;
  netAmount: number;
  vatAmount: number;
  grossAmount: number;
}

/** District heating and the hot water it heats carry 5% VAT in Hungary; water and gas 27%. */
export function vatRateFor(type: string): number {
  return type === 'district_heating' || type === 'hot_water' ? 5 : 27;
}

export function splitIntoLines(grossTotal: number, vatRate: number, plans: readonly DemoLinePlan[]): DemoInvoiceLine[] {
  if (plans.length === 0) throw new RangeError('An invoice needs at least one line');
  let left = grossTotal;
  return plans.map((plan, i) => {
    const grossAmount = i === plans.length - 1 ? left : Math.round(grossTotal * plan.share);
    left -= grossAmount;
    const netAmount = Math.round((grossAmount * 100) / (100 + vatRate));
    return {
      lineNo: i + 1,
      description: plan.description,
      quantity: plan.quantity,
      unit: plan.unit,
      unitPrice: Math.round((netAmount / plan.quantity) * 10_000) / 10_000,
      vatRate,
      netAmount,
      vatAmount: grossAmount - netAmount,
      grossAmount,
    };
  });
}
