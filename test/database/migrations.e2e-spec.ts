import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../config/data-source-options';
import { openTestDataSource } from '../support/database';
import { newScratchDatabase } from '../support/test-environment';
import { loadTotpEncryptionKeys } from '../../config/configuration';
import { clerkTotpContext, openTotpSecret, parseTotpKeyring } from '../../src/identity/totp-secret-box';

const PLAIN_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

async function tableNames(dataSource: DataSource): Promise<string[]> {
  const rows: Array<{ table_name: string }> = await dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY 1`,
  );
  return rows.map((row) => row.table_name);
}

/** Tables every schema has; more may come. */
const EXPECTED_TABLES = ['companies', 'customers', 'customer_accounts', 'clerks', 'invoices', 'debt_items', 'outbox', 'requests'];

describe('migrations', () => {
  const run = newScratchDatabase();
  let admin: Client;
  let dataSource: DataSource;

  beforeAll(async () => {
    admin = new Client({ connectionString: run.adminDatabaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${run.databaseName}"`);
    dataSource = await new DataSource({
      ...dataSourceOptions({ DATABASE_URL: run.databaseUrl, DATABASE_POOL_SIZE: 2 }),
      entities: [],
    }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await admin.query(`DROP DATABASE IF EXISTS "${run.databaseName}" WITH (FORCE)`);
    await admin.end();
  });

  it('run up on an empty database, revert to nothing, and run up again', async () => {
    expect(await tableNames(dataSource)).toEqual([]);
    const applied = await dataSource.runMigrations();
    expect(applied.length).toBeGreaterThan(0);
    const tables = await tableNames(dataSource);
    expect(tables).toEqual(expect.arrayContaining(EXPECTED_TABLES));

    for (let i = 0; i < applied.length; i += 1) await dataSource.undoLastMigration();
    expect(await tableNames(dataSource)).toEqual([]);

    await dataSource.runMigrations();
    expect(await tableNames(dataSource)).toEqual(tables);
  });

  it('give every table but companies a company_id column', async () => {
    const migrated = await openTestDataSource();
    try {
      expect(await tableNames(migrated)).toEqual(expect.arrayContaining(EXPECTED_TABLES));
      const rows: Array<{ table_name: string }> = await migrated.query(`
        SELECT t.table_name FROM information_schema.tables t
         WHERE t.table_schema = 'public' AND t.table_name NOT IN ('migrations', 'companies')
           AND NOT EXISTS (SELECT 1 FROM information_schema.columns c
                            WHERE c.table_name = t.table_name AND c.column_name = 'company_id')`);
      expect(rows).toEqual([]);
    } finally {
      await migrated.destroy();
    }
  });

  it('seal TOTP secrets stored in plain text before, and open them again on revert', async () => {
    await dataSource.runMigrations();
    const applied = async () => ((await dataSource.query(`SELECT name FROM migrations`)) as Array<{ name: string }>).map((row) => row.name);
    while ((await applied()).includes('EncryptTotpSecrets1764600000000')) await dataSource.undoLastMigration();
    const [company] = (await dataSource.query(`INSERT INTO companies (code, name) VALUES ('titok', 'Titok Zrt') RETURNING id`)) as Array<{
      id: number;
    }>;
    const [clerk] = (await dataSource.query(
      `INSERT INTO clerks (company_id, email, name, role, password_hash, totp_secret) VALUES ($1, 'a@titok.local', 'A', 'admin', 'x', $2) RETURNING id`,
      [company.id, PLAIN_SECRET],
    )) as Array<{ id: number }>;
    const stored = async () =>
      ((await dataSource.query(`SELECT totp_secret FROM clerks WHERE id = $1`, [clerk.id])) as Array<{ totp_secret: string }>)[0]
        .totp_secret;

    await dataSource.runMigrations();
    const sealed = await stored();
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(PLAIN_SECRET);
    const keyring = parseTotpKeyring(loadTotpEncryptionKeys());
    expect(openTotpSecret(sealed, clerkTotpContext(company.id, clerk.id), keyring)).toBe(PLAIN_SECRET);
    await expect(dataSource.query(`UPDATE clerks SET totp_secret = $1 WHERE id = $2`, [PLAIN_SECRET, clerk.id])).rejects.toThrow(
      'clerks_totp_secret_check',
    );

    while ((await applied()).includes('EncryptTotpSecrets1764600000000')) await dataSource.undoLastMigration();
    expect(await stored()).toBe(PLAIN_SECRET);
    await dataSource.runMigrations();
  });
});
