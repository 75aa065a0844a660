// Lints an OpenAPI document (a JSON file) with Redocly's recommended rules.
// Prints one line per problem and exits 1 if there is any error or warning.
// ESM because @redocly/openapi-core is ESM-only; the e2e suite runs it in a child process.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { createConfig, lintFromString } from '@redocly/openapi-core';

const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node scripts/lint-openapi.mjs openapi.json\n');
  process.exit(2);
}
const config = await createConfig({ extends: ['recommended'] });
const problems = await lintFromString({ source: readFileSync(file, 'utf8'), absoluteRef: file, config });
for (const problem of problems) {
  const where = problem.location.map((location) => location.pointer).join(', ');
  process.stdout.write(`${problem.severity} ${problem.ruleId}: ${problem.message} at ${where}\n`);
}
process.exit(problems.length === 0 ? 0 : 1);
