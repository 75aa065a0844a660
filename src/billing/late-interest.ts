/*
 * Late-payment interest (késedelmi kamat) under the Hungarian Civil Code:
 * - households (Ptk. 6:48): the central bank base rate valid on the first day of
 *   each calendar half-year the delay touches;
 * - businesses (Ptk. 6:155): that base rate plus 8 percentage points.
 * A delay spanning several half-years is computed per half-year. Days are counted
 * from the day after the due date up to and including the last day, on a 365-day year;
 * the total is rounded to whole forints once. (The seed's "2013S000514 Kamat
 * (2014.11.10)", 2 254 Ft on 66 365 Ft, is exactly this.)
 */

export interface BaseRate {
  /** 'YYYY-MM-DD' the rate took effect. */
  validFrom: string;
  /** Percent a year. */
  rate: number;
}

export type InterestDebtor = 'household' | 'business';

export interface InterestSegment {
  /** First and last day of the delay inside one calendar half-year, 'YYYY-MM-DD'. */
  from: string;
  to: string;
  days: number;
  /** The base rate valid on the half-year's first day. */
  baseRate: number;
  /** The rate applied: the base rate, plus 8 points for a business. */
  rate: number;
  /** This half-year's share, rounded to forints (for showing; the total is rounded once). */
  amount: number;
}

export interface InterestComputation {
  principal: number;
  /** The first day late (the day after the due date) and the last day counted. */
  from: string;
  to: string;
  days: number;
  segments: InterestSegment[];
  /** Whole forints. */
  amount: number;
}

export const BUSINESS_SURCHARGE_POINTS = 8;
const DAY_MS = 86_400_000;

function toDay(date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`Not a date: ${date}`);
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS;
}

function fromDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: string, days: number): string {
  return fromDay(toDay(date) + days);
}

/** The first day of the calendar half-year `date` falls in. */
export function halfYearStart(date: string): string {
  return `${date.slice(0, 4)}-${Number(date.slice(5, 7)) <= 6 ? '01' : '07'}-01`;
}

function nextHalfYearStart(date: string): string {
  const year = Number(date.slice(0, 4));
  return Number(date.slice(5, 7)) <= 6 ? `${year}-07-01` : `${year + 1}-01-01`;
}

/** The base rate in force on `date`: the newest row that took effect on or before it. */
export function baseRateOn(rates: readonly BaseRate[], date: string): number {
  let found: BaseRate | undefined;
  for (const rate of rates) if (rate.validFrom <= date && (!found || rate.validFrom > found.validFrom)) found = rate;
  if (!found) throw new RangeError(`No central bank base rate known for ${date}`);
  return found.rate;
}

/**
 * The interest on `principal` forints for the days after `dueOn` up to and including
 * `until`. No delay (until on or before the due date) gives zero with no segments.
 */
export function lateInterest(
  principal: number,
  dueOn: string,
  until: string,
  debtor: InterestDebtor,
  rates: readonly BaseRate[],
): InterestComputation {
  const from = addDays(dueOn, 1);
  const segments: InterestSegment[] = [];
  let exact = 0;
  for (let start = from; start <= until; start = nextHalfYearStart(start)) {
    const end = addDays(nextHalfYearStart(start), -1) < until ? addDays(nextHalfYearStart(start), -1) : until;
    const days = toDay(end) - toDay(start) + 1;
    const baseRate = baseRateOn(rates, halfYearStart(start));
    const rate = Math.round((baseRate + (debtor === 'business' ? BUSINESS_SURCHARGE_POINTS : 0)) * 100) / 100;
    const share = (principal * rate * days) / 36_500;
    exact += share;
    segments.push({ from: start, to: end, days, baseRate, rate, amount: Math.round(share) });
  }
  const days = segments.reduce((sum, segment) => sum + segment.days, 0);
  return { principal, from, to: until < from ? from : until, days, segments, amount: Math.round(exact) };
}
