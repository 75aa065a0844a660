import { DataSource } from 'typeorm';
import { newApiKey } from '../../src/integration/api-key-format';
import { createTestClerk, TestCompany } from './clerk-factories';

export interface TestIntegrationKey {
  id: number;
  companyId: number;
  /** The whole key, as the admin copied it: send as `Authorization: Bearer <key>`. */
  key: string;
}

/** An active integration API key of `company`, created (as the admin page would) by a fresh admin. */
export async function createTestIntegrationKey(
  dataSource: DataSource,
  company: TestCompany,
  name = 'Teszt kulcs',
): Promise<TestIntegrationKey> {
  const admin = await createTestClerk(dataSource, company, 'admin');
  const fresh = newApiKey();
  const [row] = (await dataSource.query(
    `INSERT INTO integration_api_keys (company_id, name, key_prefix, secret_hash, created_by_clerk_id)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [company.id, name, fresh.prefix, fresh.hash, admin.id],
  )) as Array<{ id: string }>;
  return { id: Number(row.id), companyId: company.id, key: fresh.key };
}
