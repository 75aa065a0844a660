import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const LIST_FILE = join(__dirname, 'data', 'postcodes-hu.txt');
/** Budapest: 1, the district (01–23), one more digit. */
const BUDAPEST = /^1(0[1-9]|1\d|2[0-3])\d$/;

let towns: Map<string, string[]> | undefined;

/** Postcode → its towns, from data/postcodes-hu.txt (read once). */
function postcodeList(): Map<string, string[]> {
  if (!towns) {
    towns = new Map();
    for (const line of readFileSync(LIST_FILE, 'utf8').split('\n')) {
      if (line.startsWith('#') || !line.includes('\t')) continue;
      const [postcode, town] = line.split('\t').map((part) => part.trim());
      towns.set(postcode, [...(towns.get(postcode) ?? []), town]);
    }
  }
  return towns;
}

const normalise = (town: string) => town.trim().toLocaleLowerCase('hu-HU');

/**
 * Whether a town goes with a postcode: Budapest's postcodes with Budapest, a listed
 * postcode with one of its towns. A postcode the list does not know is accepted with
 * any town (the shipped list is not the full national one; a clerk reviews the change).
 */
export function postcodeMatchesTown(postcode: string, town: string): boolean {
  if (BUDAPEST.test(postcode)) return normalise(town) === 'budapest';
  if (normalise(town) === 'budapest') return false;
  const known = postcodeList().get(postcode);
  return !known || known.some((candidate) => normalise(candidate) === normalise(town));
}
