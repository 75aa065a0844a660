import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Company-led indexes for the clerk foreign keys of the API keys and their audit trail (every
 * composite foreign key has one); the keys' (company_id, id) index goes, its unique constraint serves the list.
 */
export class IntegrationKeyClerkIndexes1764706200000 implements MigrationInterface {
  name = 'IntegrationKeyClerkIndexes1764706200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX integration_api_keys_created_by_idx ON integration_api_keys (company_id, created_by_clerk_id)`);
    await q.query(`CREATE INDEX integration_api_keys_revoked_by_idx ON integration_api_keys (company_id, revoked_by_clerk_id)`);
    await q.query(`CREATE INDEX integration_audit_events_clerk_idx ON integration_audit_events (company_id, clerk_id)`);
    await q.query(`DROP INDEX integration_api_keys_company_idx`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX integration_api_keys_company_idx ON integration_api_keys (company_id, id)`);
    await q.query(`DROP INDEX integration_audit_events_clerk_idx`);
    await q.query(`DROP INDEX integration_api_keys_revoked_by_idx`);
    await q.query(`DROP INDEX integration_api_keys_created_by_idx`);
  }
}
