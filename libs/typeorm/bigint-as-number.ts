import { PrimaryColumn, ValueTransformer } from 'typeorm';

/**
 * pg returns bigint columns as strings. Our ids stay far below 2^53, so they
 * are safe as JavaScript numbers.
 */
export const bigintAsNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

/** A `bigint GENERATED ALWAYS AS IDENTITY` primary key, read as a number. */
export function BigIntIdColumn(): PropertyDecorator {
  return PrimaryColumn({ type: 'bigint', generated: 'identity', generatedIdentity: 'ALWAYS', transformer: bigintAsNumber });
}
