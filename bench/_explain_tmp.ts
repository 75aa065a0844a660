import { Client } from 'pg';
import { BASE_RATES, DEBTS, HOME_BILLING, INVOICE_PAGE } from '../src/billing/billing-sql';
async function main() {
  const c = new Client({ connectionString: `postgres://root@127.0.0.1:5432/${process.argv[2]}` });
  await c.connect();
  const cid = Number(process.argv[3] ?? 50000);
  const stmts: Array<[string, string, unknown[]]> = [
    ['page', INVOICE_PAGE.text, [1, cid, null, null, null, null, 21]],
    ['page2', INVOICE_PAGE.text, [1, cid, '2026-01-15', 99999999, null, null, 21]],
    ['pageYear', INVOICE_PAGE.text, [1, cid, null, null, 2025, null, 21]],
    ['debts', DEBTS.text, [1, cid, 20]],
    ['home', HOME_BILLING.text, [1, cid]],
    ['rates', BASE_RATES.text, []],
  ];
  for (const mode of ['force_custom_plan', 'force_generic_plan']) {
    await c.query(`SET plan_cache_mode = ${mode}`);
    for (const [name, text, values] of stmts) {
      await c.query('DEALLOCATE ALL');
      const types = values.length ? `(${values.map(() => 'unknown').join(',')})` : '';
      await c.query(`PREPARE s${types} AS ${text}`);
      const lit = values.map((v) => (v === null ? 'NULL' : typeof v === 'string' ? `'${v}'` : String(v)));
      const r = await c.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) EXECUTE s${lit.length ? `(${lit.join(',')})` : ''}`);
      const plan = r.rows.map((x: any) => x['QUERY PLAN']).join('\n');
      console.log(`=== ${mode} ${name}\n${process.argv.includes('-v') ? plan : plan.split('\n').filter((l: string) => /Scan|Execution|SubPlan|Sort|Join|Loop/.test(l)).join('\n')}`);
    }
  }
  await c.end();
}
main();
