import type { PoolClient, QueryResultRow } from 'pg';
import { EntityManager } from 'typeorm';

/** A statement's text and the name it is prepared under (one name, one text). */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * Runs a hot statement as a named prepared statement: Postgres parses and plans it
 * once per connection instead of on every call, which on the submission paths is
 * about a third of the database's work per statement. `name` must always go with
 * the same `text` (node-postgres refuses a name reused for another text), and the
 * text should name its columns rather than `SELECT *`, so a migration cannot change
 * a cached plan's result shape under a running process.
 *
 * Inside a transaction pass its manager: the statement runs on that connection.
 */
export async function preparedQuery<T extends QueryResultRow>(
  manager: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const client = (await runner.connect()) as PoolClient;
    const result = await client.query<T>({ name, text, values });
    return result.rows;
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}
