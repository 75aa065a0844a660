import { DataSource } from 'typeorm';
import { openTestDataSource } from '../support/database';
import { ACTOR_KINDS, WORKFLOW_STATES } from '../../libs/workflow/request-workflow';
import { DEBT_ITEM_KINDS } from '../../src/billing/debt-item.entity';
import { INVOICE_TYPES } from '../../src/billing/invoice.entity';
import { CLERK_ROLES } from '../../src/identity/clerk.entity';
import { LANGUAGES } from '../../src/identity/customer-account.entity';
import { PAYMENT_METHODS } from '../../src/identity/customer.entity';
import { METER_TYPES, METER_UNITS } from '../../src/metering/meter.entity';
import { READING_KINDS } from '../../src/metering/reading.entity';
import { NOTIFICATION_TOPICS } from '../../src/notifications/notification-preference.entity';
import { PAYMENT_STATUSES } from '../../src/payments/payment.entity';

/**
 * The entities describe the schema the migrations build (the global setup has run
 * them on this database). If TypeORM's schema builder would change anything,
 * `npm run migration:generate` would write a migration: the entities and the
 * migrations have drifted apart.
 */
describe('entities and migrations', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('describe the same schema: TypeORM would generate no migration', async () => {
    const sqlInMemory = await dataSource.driver.createSchemaBuilder().log();
    const upQueries = sqlInMemory.upQueries.map((query) => query.query);
    if (upQueries.length > 0) {
      throw new Error(`The entities differ from the migrated schema; TypeORM would run:\n${upQueries.join(';\n')};`);
    }
  });

  it('map every table, each by one entity', async () => {
    const rows: Array<{ table_name: string }> = await dataSource.query(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'migrations'`,
    );
    const entityTables = dataSource.entityMetadatas.map((metadata) => metadata.tableName);
    expect(entityTables.length).toBe(new Set(entityTables).size);
    expect([...entityTables].sort()).toEqual(rows.map((row) => row.table_name).sort());
  });

  // TypeORM's diff matches CHECK, UNIQUE and FOREIGN KEY constraints by name only, and
  // indexes by name, uniqueness and column set: it would not notice a changed CHECK
  // expression, index predicate or column order. Compare those here, letting Postgres
  // normalise the declared expressions on scratch copies of the tables.
  it('agree on what that diff does not compare: CHECK expressions, index predicates, column order', async () => {
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      const declared = new Map<string, string>();
      for (const metadata of dataSource.entityMetadatas) {
        const table = metadata.tableName;
        await runner.query(`CREATE TEMP TABLE "${table}" (LIKE "${table}") ON COMMIT DROP`);
        for (const check of metadata.checks) {
          await runner.query(`ALTER TABLE pg_temp."${table}" ADD CONSTRAINT "${check.name}" CHECK (${check.expression})`);
        }
        for (const index of metadata.indices.filter((candidate) => candidate.synchronize)) {
          const columns = index.columns.map((column) => `"${column.databaseName}"`).join(', ');
          const where = index.where ? ` WHERE ${index.where}` : '';
          await runner.query(`CREATE ${index.isUnique ? 'UNIQUE ' : ''}INDEX "${index.name}" ON pg_temp."${table}" (${columns})${where}`);
        }
        for (const unique of metadata.uniques) {
          declared.set(`${table} ${unique.name}`, `UNIQUE (${unique.columns.map((column) => column.databaseName).join(', ')})`);
        }
        for (const key of metadata.foreignKeys) {
          const referenced = `${key.referencedEntityMetadata.tableName}(${key.referencedColumnNames.join(', ')})`;
          declared.set(`${table} ${key.name}`, `FOREIGN KEY (${key.columnNames.join(', ')}) REFERENCES ${referenced}`);
        }
      }
      for (const [name, definition] of await describeChecksAndIndexes(runner, 'pg_my_temp_schema()')) declared.set(name, definition);

      const real = await describeChecksAndIndexes(runner, 'current_schema()::regnamespace');
      for (const [name, definition] of await describeKeys(runner)) real.set(name, definition);
      // A name missing on either side is the diff's to report; compare the rest.
      const differences = [...declared]
        .filter(([name, definition]) => real.has(name) && real.get(name) !== definition)
        .map(([name, definition]) => `${name}\n  entities:  ${definition}\n  migration: ${real.get(name)}`);
      if (differences.length > 0) throw new Error(`The entities declare differently:\n${differences.join('\n')}`);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  });

  it('list in each union type exactly the values its CHECK constraint allows', async () => {
    const rows: Array<{ name: string; definition: string }> = await dataSource.query(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS definition
         FROM pg_constraint WHERE contype = 'c' AND connamespace = current_schema()::regnamespace`,
    );
    const allowed = (constraint: string): string[] => {
      const row = rows.find((candidate) => candidate.name === constraint);
      if (!row) throw new Error(`no CHECK constraint ${constraint}`);
      // Postgres shows `col IN (...)` as `(col = ANY (ARRAY['a'::text, 'b'::text]))`.
      return [...row.definition.matchAll(/'([^']*)'::text/g)].map((match) => match[1]).sort();
    };
    const unions: Array<[string, readonly string[]]> = [
      ['customers_payment_method_check', PAYMENT_METHODS],
      ['customer_accounts_language_check', LANGUAGES],
      ['clerks_role_check', CLERK_ROLES],
      ['meters_type_check', METER_TYPES],
      ['meters_unit_check', METER_UNITS],
      ['readings_kind_check', READING_KINDS],
      ['invoices_type_check', INVOICE_TYPES],
      ['debt_items_kind_check', DEBT_ITEM_KINDS],
      ['payments_status_check', PAYMENT_STATUSES],
      ['notification_preferences_topic_check', NOTIFICATION_TOPICS],
      ['requests_state_check', WORKFLOW_STATES],
      ['request_transitions_from_state_check', WORKFLOW_STATES],
      ['request_transitions_to_state_check', WORKFLOW_STATES],
      ['request_transitions_actor_kind_check', ACTOR_KINDS],
    ];
    for (const [constraint, values] of unions) {
      expect({ constraint, values: allowed(constraint) }).toEqual({ constraint, values: [...values].sort() });
    }
  });
});

type Runner = { query(sql: string, parameters?: unknown[]): Promise<unknown> };

/** CHECK definitions and index columns and predicates of the tables in a schema, keyed by `table name`. */
async function describeChecksAndIndexes(runner: Runner, namespace: string): Promise<Map<string, string>> {
  const rows = (await runner.query(`
    SELECT t.relname AS table, con.conname AS name, pg_get_constraintdef(con.oid) AS definition
      FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
     WHERE con.contype = 'c' AND t.relnamespace = ${namespace}
    UNION ALL
    SELECT t.relname, ic.relname,
           CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || '(' ||
           (SELECT string_agg(a.attname, ', ' ORDER BY k.ord)
              FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) || ')' ||
           coalesce(' WHERE ' || pg_get_expr(i.indpred, i.indrelid), '')
      FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
     WHERE t.relnamespace = ${namespace}`)) as Array<{ table: string; name: string; definition: string }>;
  return new Map(rows.map((row) => [`${row.table} ${row.name}`, row.definition]));
}

/** UNIQUE and FOREIGN KEY constraints of the current schema with their column lists, keyed by `table name`. */
async function describeKeys(runner: Runner): Promise<Map<string, string>> {
  const columns = (table: string, attnums: string) => `
    (SELECT string_agg(a.attname, ', ' ORDER BY k.ord) FROM unnest(${attnums}) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_attribute a ON a.attrelid = ${table} AND a.attnum = k.attnum)`;
  const rows = (await runner.query(`
    SELECT t.relname AS table, con.conname AS name,
           CASE con.contype
             WHEN 'u' THEN 'UNIQUE (' || ${columns('con.conrelid', 'con.conkey')} || ')'
             ELSE 'FOREIGN KEY (' || ${columns('con.conrelid', 'con.conkey')} || ') REFERENCES '
                  || r.relname || '(' || ${columns('con.confrelid', 'con.confkey')} || ')'
           END AS definition
      FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid LEFT JOIN pg_class r ON r.oid = con.confrelid
     WHERE con.contype IN ('u', 'f') AND t.relnamespace = current_schema()::regnamespace`)) as Array<{
    table: string;
    name: string;
    definition: string;
  }>;
  return new Map(rows.map((row) => [`${row.table} ${row.name}`, row.definition]));
}
