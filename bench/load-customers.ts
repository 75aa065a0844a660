/**
 * Measures the synthetic load on a scratch database of its own: creates it,
 * runs the migrations, loads N customers, loads them again (which must add
 * nothing), prints both timings and drops the database.
 *
 *   npx ts-node --transpile-only bench/load-customers.ts [N=100000] [--keep]
 *
 * TEST_ADMIN_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
 * names the server and a role allowed to create databases.
 */
import { SyntheticLoadResult, loadSyntheticCustomers } from '../src/demo/synthetic-loader';
import { benchArgs, withScratchDatabase } from './bench-kit';

function describe(label: string, result: SyntheticLoadResult): string {
  const seconds = Math.max(result.seconds, 0.001);
  return (
    `${label}: ${result.created} customers, ${result.rows} rows in ${result.seconds.toFixed(1)} s ` +
    `(${Math.round(result.created / seconds)} customers/s, ${Math.round(result.rows / seconds)} rows/s)\n`
  );
}

async function main(): Promise<void> {
  const { count: customers, keep } = benchArgs(100_000);
  await withScratchDatabase('load', { poolSize: 4, keep }, async (dataSource) => {
    let last = 0;
    const first = await loadSyntheticCustomers(dataSource, {
      customers,
      onProgress: (progress) => {
        if (progress.done - last >= customers / 10 || progress.done === customers) {
          last = progress.done;
          process.stdout.write(`  ${progress.done}/${customers}\n`);
        }
      },
    });
    process.stdout.write(describe('first load', first));
    process.stdout.write(describe('second load (must add nothing)', await loadSyntheticCustomers(dataSource, { customers })));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
