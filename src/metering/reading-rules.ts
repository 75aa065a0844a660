/**
 * Pure rules of the customer's meter reading: parsing the value, finding the open
 * reading window, consumption between billable readings, plausibility hints.
 * No I/O and no clock: ReadingService passes today's date in.
 */

/** At most 11 integer digits: readings.value is numeric(14, 3). */
const MAX_INTEGER_DIGITS = 11;

export type ParsedValue = { ok: true; value: number; text: string } | { ok: false; message: string };

/** A non-negative decimal with at most `decimals` fraction digits; a decimal comma is accepted. */
export function parseReadingValue(input: string, decimals: number): ParsedValue {
  const text = input.trim().replace(',', '.');
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return { ok: false, message: 'The reading must be a non-negative number, e.g. 1234 or 1234,5' };
  const [, integer, fraction = ''] = match;
  if (fraction.length > decimals) {
    return {
      ok: false,
      message: decimals === 0 ? 'This meter shows whole numbers only' : `This meter shows at most ${decimals} decimal place(s)`,
    };
  }
  const digits = integer.replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_INTEGER_DIGITS) return { ok: false, message: 'The reading is too large' };
  const normalized = fraction.length > 0 ? `${digits}.${fraction}` : digits;
  return { ok: true, value: Number(normalized), text: normalized };
}

export interface WindowRow {
  id: number;
  meterId: number | null;
  opensOn: string;
  closesOn: string;
}

export type WindowLookup = { open: WindowRow } | { open: null; nextOpensOn: string | null };

/**
 * The window open on `today` (both ends included); a meter's own window wins
 * over the company-wide one. Otherwise the day the next one opens, or null when
 * none is scheduled. Dates are 'YYYY-MM-DD', so they compare as strings.
 */
export function findOpenWindow(windows: readonly WindowRow[], today: string): WindowLookup {
  const open = windows
    .filter((w) => w.opensOn <= today && today <= w.closesOn)
    .sort((a, b) => Number(b.meterId !== null) - Number(a.meterId !== null) || a.opensOn.localeCompare(b.opensOn));
  if (open.length > 0) return { open: open[0] };
  const next = windows
    .filter((w) => w.opensOn > today)
    .map((w) => w.opensOn)
    .sort()[0];
  return { open: null, nextOpensOn: next ?? null };
}

export interface BillableReading {
  readOn: string;
  value: number;
}

export interface ReadingWithConsumption extends BillableReading {
  /** Difference to the previous billable reading; null for the first. */
  consumption: number | null;
  /** Days since the previous billable reading; null for the first. */
  days: number | null;
}

/** Three decimals, the column's scale: keeps binary floating-point noise out of differences. */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** One decimal, as a ratio is shown ("2.4×"); the same rounding as toFixed(1) for these positive ratios. */
function round1(value: number): number {
  return Number(value.toFixed(1));
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Consumption of each billable reading from the one before it (input in any order; output oldest first). */
export function withConsumption(readings: readonly BillableReading[]): ReadingWithConsumption[] {
  const sorted = [...readings].sort((a, b) => a.readOn.localeCompare(b.readOn));
  return sorted.map((reading, i) => {
    const previous = i > 0 ? sorted[i - 1] : undefined;
    return {
      ...reading,
      consumption: previous ? round3(reading.value - previous.value) : null,
      days: previous ? daysBetween(previous.readOn, reading.readOn) : null,
    };
  });
}

/**
 * Thresholds of the plausibility hints. Compared per day, so periods of different
 * length compare fairly. Seasonal: the meter's own average for the same calendar
 * month in earlier years (heating differs tenfold between July and January, so a
 * seasonal baseline beats the last period). The jump hint compares with the
 * previous period and is used only when there is no seasonal baseline.
 */
export const HINT_THRESHOLDS = { aboveUsual: 2, belowUsual: 0.5, jump: 4 } as const;

/**
 * A plausibility hint: its code, an English sentence (what the JSON API has always
 * carried) and the numbers that sentence is made of, so that a page can say it in
 * the reader's language. `below`: how far the value is below the last billable
 * reading. `daily`, `usualDaily` (this calendar month in earlier years) and
 * `previousDaily` (the last billable period): consumption per day in the meter's
 * unit, to the column's three decimals. `ratio` to one decimal and `percent` whole,
 * exactly as the sentence shows them.
 */
export type Hint =
  | { code: 'replacement'; message: string }
  | { code: 'negative_consumption'; message: string; below: number }
  | { code: 'above_usual'; message: string; ratio: number; daily: number; usualDaily: number }
  | { code: 'below_usual'; message: string; percent: number; daily: number; usualDaily: number }
  | { code: 'jump'; message: string; ratio: number; daily: number; previousDaily: number };

export type HintCode = Hint['code'];

export interface HintInput {
  value: number;
  readOn: string;
  replacement: boolean;
  /** The meter's billable readings so far. */
  history: readonly BillableReading[];
}

export interface ReadingAssessment {
  /** What the new value implies since the last billable reading; from zero after a meter replacement. */
  consumption: number | null;
  days: number | null;
  /** Average daily consumption in this calendar month in earlier years, if known. */
  usualDaily: number | null;
  hints: Hint[];
}

/** Consumption the new value implies and the hints a clerk (and the customer, before sending) sees. */
export function assessReading(input: HintInput): ReadingAssessment {
  const series = withConsumption(input.history);
  const last = series.at(-1);
  const hints: Hint[] = [];
  if (input.replacement) hints.push({ code: 'replacement', message: 'The customer reports a meter replacement or rollover' });
  if (!last) return { consumption: null, days: null, usualDaily: null, hints };

  const consumption = round3(input.replacement ? input.value : input.value - last.value);
  const days = Math.max(1, daysBetween(last.readOn, input.readOn));
  if (consumption < 0) {
    const below = -consumption;
    hints.push({ code: 'negative_consumption', message: `The reading is ${below} below the last billable one`, below });
  }

  const month = input.readOn.slice(5, 7);
  const year = input.readOn.slice(0, 4);
  const sameMonth = series.filter(
    (r) =>
      r.consumption !== null &&
      r.days !== null &&
      r.days > 0 &&
      r.consumption >= 0 &&
      r.readOn.slice(5, 7) === month &&
      r.readOn.slice(0, 4) < year,
  );
  const usualDaily = sameMonth.length > 0 ? sameMonth.reduce((sum, r) => sum + r.consumption! / r.days!, 0) / sameMonth.length : null;
  const daily = consumption / days;
  if (consumption >= 0 && usualDaily !== null && usualDaily > 0) {
    const ratio = daily / usualDaily;
    const figures = { daily: round3(daily), usualDaily: round3(usualDaily) };
    if (ratio > HINT_THRESHOLDS.aboveUsual) {
      const shown = round1(ratio);
      hints.push({ code: 'above_usual', message: `${shown.toFixed(1)}× the usual consumption for this month`, ratio: shown, ...figures });
    } else if (ratio < HINT_THRESHOLDS.belowUsual) {
      const percent = Math.round(ratio * 100);
      hints.push({ code: 'below_usual', message: `Only ${percent}% of the usual consumption for this month`, percent, ...figures });
    }
  } else if (consumption >= 0 && usualDaily === null && last.consumption !== null && last.days !== null && last.days > 0) {
    const previousDaily = last.consumption / last.days;
    if (previousDaily > 0 && daily / previousDaily > HINT_THRESHOLDS.jump) {
      const shown = round1(daily / previousDaily);
      hints.push({
        code: 'jump',
        message: `${shown.toFixed(1)}× the consumption of the previous period`,
        ratio: shown,
        daily: round3(daily),
        previousDaily: round3(previousDaily),
      });
    }
  }
  return { consumption, days, usualDaily: usualDaily === null ? null : round3(usualDaily), hints };
}
