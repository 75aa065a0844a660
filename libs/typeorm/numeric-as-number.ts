import { ValueTransformer } from 'typeorm';

/**
 * pg returns numeric columns as strings. For numeric(p, s) with p <= 15 every
 * value has at most 15 significant digits, so it survives a round trip through
 * a JavaScript number exactly; use this only for such columns.
 */
export const numericAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};
