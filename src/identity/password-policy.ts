import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordProblem = 'tooShort' | 'tooLong' | 'common';

// Beside this file: nest-cli.json copies data files into dist/ with the templates.
const LIST_FILE = join(__dirname, 'data', 'common-passwords.txt');

let common: Set<string> | undefined;

/** The 10,000 most common passwords (lower case), from data/common-passwords.txt. */
export function commonPasswords(): Set<string> {
  if (!common) {
    const words = readFileSync(LIST_FILE, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    common = new Set(words);
  }
  return common;
}

/** Length in characters as a person counts them (code points, not UTF-16 units). */
function length(password: string): number {
  return [...password].length;
}

/** Null when the password is acceptable, otherwise what is wrong with it. Pure apart from the cached list. */
export function checkPassword(password: string): PasswordProblem | null {
  const chars = length(password);
  if (chars < PASSWORD_MIN_LENGTH) return 'tooShort';
  if (chars > PASSWORD_MAX_LENGTH) return 'tooLong';
  if (commonPasswords().has(password.toLowerCase())) return 'common';
  return null;
}
