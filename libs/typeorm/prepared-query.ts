import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { EntityManager, QueryRunnerAlreadyReleasedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

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
 * Outside a transaction the statement goes straight to TypeORM's pg pool: no query
 * runner, no logging or subscriber broadcast, which on a hot read cost about as
 * much as the statement itself. Errors are pg's own (not QueryFailedError).
 * Inside a transaction pass its manager: the statement runs on that connection.
 * A released runner's manager (a transaction already over) is refused as TypeORM
 * refuses it: its runner still names the connection it had, which is back in the
 * pool and may be running someone else's transaction by now.
 */
export async function preparedQuery<T extends QueryResultRow>(
  manager: EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const runner = manager.queryRunner;
  if (runner?.isReleased) throw new QueryRunnerAlreadyReleasedError();
  const client = runner ? ((await runner.connect()) as PoolClient) : ((manager.connection.driver as PostgresDriver).master as Pool);
  const result = await client.query<T>({ name, text, values });
  return result.rows;
}
