import { DataSource, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { dataSourceOptions } from '../../config/data-source-options';
import { parseConfig } from '../../config/configuration';
import { preparedQuery } from '../../libs/typeorm/prepared-query';

describe('preparedQuery (real PostgreSQL)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    // One connection: a released runner's connection is the very one the next runner gets.
    dataSource = await new DataSource({ ...dataSourceOptions({ ...parseConfig(process.env), DATABASE_POOL_SIZE: 1 }) }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('runs on the connection of the transaction whose manager it is given', async () => {
    const seen = await dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('portal.marker', 'inside', true)`);
      return preparedQuery<{ marker: string }>(manager, 'test-marker', `SELECT current_setting('portal.marker', true) AS marker`, []);
    });
    expect(seen).toEqual([{ marker: 'inside' }]);
  });

  it("refuses a released runner's manager instead of running on the connection it no longer owns", async () => {
    const released = dataSource.createQueryRunner();
    await released.connect();
    await released.release();
    const current = dataSource.createQueryRunner();
    await current.connect();
    try {
      await current.startTransaction();
      await expect(
        preparedQuery(released.manager, 'test-leak', `SELECT set_config('portal.marker', 'leaked', true) AS marker`, []),
      ).rejects.toBeInstanceOf(QueryRunnerAlreadyReleasedError);
      // Nothing ran inside the transaction that now holds the connection.
      const [row] = (await current.query(`SELECT current_setting('portal.marker', true) AS marker`)) as Array<{ marker: string | null }>;
      expect(row.marker ?? '').toBe('');
    } finally {
      await current.rollbackTransaction();
      await current.release();
    }
  });
});
