/**
 * Parses a whole-forint amount as people type it from an invoice: "38837",
 * "38 837", "38.837", "38 837 Ft". Null when it is not a whole, non-negative amount.
 */
export function parseForintAmount(input: string): number | null {
  const compact = input
    .replace(/\s|\u00a0|\u202f/g, '')
    .replace(/ft$/i, '')
    .replace(/,-$/, '');
  if (!/^\d{1,3}(\.\d{3})+$|^\d{1,10}$/.test(compact)) return null;
  const value = Number(compact.replace(/\./g, ''));
  return Number.isSafeInteger(value) && value <= 2_147_483_647 ? value : null;
}
