import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const LIST_FILE = join(__dirname, 'data', 'postcodes-hu.txt');

let towns: Map<string, string[]> | undefined;

/** Postcode → its towns, from data/postcodes-hu.txt (Magyar Posta's full list; read once). */
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

/** Whether the postcode exists in Hungary (is on Magyar Posta's list). */
export function isKnownPostcode(postcode: string): boolean {
  return postcodeList().has(postcode);
}

/** Whether a town goes with a postcode: the postcode is listed with that town (letter case aside). */
export function postcodeMatchesTown(postcode: string, town: string): boolean {
  return (postcodeList().get(postcode) ?? []).some((candidate) => normalise(candidate) === normalise(town));
}
