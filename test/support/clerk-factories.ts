import { DataSource } from 'typeorm';
import { hashPassword } from '../../src/identity/password-hasher';
import { ClerkRole } from '../../src/identity/clerk.entity';
import { createTestCompany } from './database';

export const TEST_CLERK_PASSWORD = 'Ugyintezo-Teszt-2014';

export interface TestCompany {
  id: number;
  code: string;
}

export interface TestClerk {
  id: number;
  companyId: number;
  companyCode: string;
  email: string;
  password: string;
  role: ClerkRole;
}

let clerkSequence = 0;
let cachedHash: Promise<string> | undefined;

/** A company of its own, with its code (for login forms). */
export async function createClerkTestCompany(dataSource: DataSource): Promise<TestCompany> {
  const id = await createTestCompany(dataSource);
  const [row] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [id])) as Array<{ code: string }>;
  return { id, code: row.code };
}

/** A clerk of `company` with TEST_CLERK_PASSWORD (hashed once per test file) and, optionally, a TOTP secret. */
export async function createTestClerk(
  dataSource: DataSource,
  company: TestCompany,
  role: ClerkRole,
  options: { totpSecret?: string; name?: string } = {},
): Promise<TestClerk> {
  clerkSequence += 1;
  cachedHash ??= hashPassword(TEST_CLERK_PASSWORD);
  const email = `${role}-${clerkSequence}-${process.pid}@teszt.local`;
  const [row] = (await dataSource.query(
    `INSERT INTO clerks (company_id, email, name, role, password_hash, totp_secret) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [company.id, email, options.name ?? `Teszt ${role} ${clerkSequence}`, role, await cachedHash, options.totpSecret ?? null],
  )) as Array<{ id: number }>;
  return { id: row.id, companyId: company.id, companyCode: company.code, email, password: TEST_CLERK_PASSWORD, role };
}
