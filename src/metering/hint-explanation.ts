import { StoredHint } from './reading-request.kind';
import { HintCode } from './reading-rules';
import { Language, translate } from '../web/i18n';

/** The numbers each hint's explanation (`metering.review.hintDetail.<code>`) needs. */
const PARAMS = {
  replacement: [],
  negative_consumption: ['below'],
  above_usual: ['ratio', 'daily', 'usualDaily'],
  below_usual: ['percent', 'daily', 'usualDaily'],
  jump: ['ratio', 'daily', 'previousDaily'],
} as const satisfies Record<HintCode, readonly string[]>;

/** Whether a stored hint's code is one this build knows (and has a label for). */
export const isKnownHint = (code: string): code is HintCode => Object.hasOwn(PARAMS, code);

const LOCALES: Record<Language, string> = { hu: 'hu-HU', en: 'en-GB' };

// Built once per language: an Intl formatter costs about a tenth of a millisecond. No thousands
// grouping, like the readings on the same page; Hungarian gets its decimal comma ("2,4×").
const FORMATS = Object.fromEntries(
  (Object.keys(LOCALES) as Language[]).map((lang) => [
    lang,
    {
      ratio: new Intl.NumberFormat(LOCALES[lang], { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false }),
      percent: new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 0, useGrouping: false }),
      amount: new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 3, useGrouping: false }),
    },
  ]),
) as Record<Language, Record<'ratio' | 'percent' | 'amount', Intl.NumberFormat>>;

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * The explanation of a plausibility hint for the clerk, in `lang`, from the numbers
 * stored with it: "2,4× annyi, mint …". Amounts carry the meter's unit (empty when
 * unknown). A hint stored without its numbers (requests from before they were kept)
 * or of an unknown code falls back to the English message stored with it.
 */
export function hintExplanation(lang: Language, hint: StoredHint, unit: string): string {
  const names: readonly string[] | undefined = Object.hasOwn(PARAMS, hint.code) ? PARAMS[hint.code as HintCode] : undefined;
  const fallback = typeof hint.message === 'string' ? hint.message : '';
  if (!names || !names.every((name) => isNumber(hint[name]))) return fallback;
  const format = FORMATS[lang];
  const params: Record<string, string> = {};
  for (const name of names) {
    const value = hint[name] as number;
    params[name] =
      name === 'ratio' || name === 'percent' ? format[name].format(value) : [format.amount.format(value), unit].filter(Boolean).join(' ');
  }
  return translate(lang, `metering.review.hintDetail.${hint.code}`, params);
}
