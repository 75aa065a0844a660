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
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../config/data-source-options';
import { SyntheticLoadResult, loadSyntheticCustomers } from '../src/demo/synthetic-loader';

function describe(label: string, result: SyntheticLoadResult): string {
  const seconds = Math.max(result.seconds, 0.001);
  return (
    `${label}: ${result.created} customers, ${result.rows} rows in ${result.seconds.toFixed(1)} s ` +
    `(${Math.round(result.created / seconds)} customers/s, ${Math.round(result.rows / seconds)} rows/s)\n`
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const customers = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 100_000);
  const keep = args.includes('--keep');
  const adminUrl = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const databaseName = `bench_load_${Date.now().toString(36)}`;
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${databaseName}`;

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${databaseName}"`);
  let dataSource: DataSource | undefined;
  try {
    dataSource = await new DataSource({
      ...dataSourceOptions({ DATABASE_URL: databaseUrl.toString(), DATABASE_POOL_SIZE: 4 }),
      entities: [],
    }).initialize();
    await dataSource.runMigrations();
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
  } finally {
    await dataSource?.destroy();
    if (keep) process.stdout.write(`kept database ${databaseName}\n`);
    else await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
