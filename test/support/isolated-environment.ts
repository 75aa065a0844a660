import { randomBytes } from 'node:crypto';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import NodeEnvironment from 'jest-environment-node';
import { Client } from 'pg';
import { adminDatabaseUrl } from './test-environment';

/**
 * Gives every e2e and browser spec file a database of its own (a copy of the run's
 * migrated database, used as a template) and Redis prefixes of its own. Files run
 * in parallel; without this one file's worker would take another file's outbox
 * rows and jobs, e.g. send its e-mails to the wrong mail catcher.
 */
export default class IsolatedEnvironment extends NodeEnvironment {
  private readonly isolated: boolean;
  private databaseName: string | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.isolated = /\.(e2e|browser)-spec\.ts$/.test(context.testPath);
  }

  override async setup(): Promise<void> {
    await super.setup();
    if (!this.isolated) return;
    const env = this.global.process.env;
    const runUrl = new URL(env.DATABASE_URL as string);
    const template = runUrl.pathname.slice(1);
    const suffix = randomBytes(4).toString('hex');
    this.databaseName = `${template}_f${suffix}`;
    await this.admin(async (admin) => {
      // A concurrent copy of the same template can be refused for a moment; try again.
      for (let attempt = 1; ; attempt += 1) {
        try {
          await admin.query(`CREATE DATABASE "${this.databaseName}" TEMPLATE "${template}"`);
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
        }
      }
      await admin.query(`ALTER DATABASE "${this.databaseName}" SET synchronous_commit = off`);
    });
    runUrl.pathname = `/${this.databaseName}`;
    env.DATABASE_URL = runUrl.toString();
    env.QUEUE_PREFIX = `${(env.QUEUE_PREFIX as string).slice(0, -1)}-f${suffix}}`;
    env.REDIS_KEY_PREFIX = `${(env.REDIS_KEY_PREFIX as string).slice(0, -1)}-f${suffix}:`;
  }

  override async teardown(): Promise<void> {
    if (this.databaseName) {
      await this.admin((admin) => admin.query(`DROP DATABASE IF EXISTS "${this.databaseName}" WITH (FORCE)`));
    }
    await super.teardown();
  }

  private async admin<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: adminDatabaseUrl() });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}
