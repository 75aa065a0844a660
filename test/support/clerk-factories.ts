import { DataSource } from 'typeorm';
import { parseConfig } from '../../config/configuration';
import { hashPassword } from '../../src/identity/password-hasher';
import { ClerkRole } from '../../src/identity/clerk.entity';
import { clerkTotpContext, parseTotpKeyring, sealTotpSecret } from '../../src/identity/totp-secret-box';
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

/** A company of its own, with its code (for login forms); see createTestCompany for the grace period. */
export async function createClerkTestCompany(dataSource: DataSource, options: { totpGraceDays?: number } = {}): Promise<TestCompany> {
  const id = await createTestCompany(dataSource, 'Teszt cég', options);
  const [row] = (await dataSource.query(`SELECT code FROM companies WHERE id = $1`, [id])) as Array<{ code: string }>;
  return { id, code: row.code };
}

/** Stores `secret` as the clerk's second factor, sealed as the portal seals it (with this run's TOTP_ENCRYPTION_KEYS). */
export async function setTestClerkTotpSecret(dataSource: DataSource, companyId: number, clerkId: number, secret: string): Promise<void> {
  const keyring = parseTotpKeyring(parseConfig(process.env).TOTP_ENCRYPTION_KEYS);
  const sealed = sealTotpSecret(secret, clerkTotpContext(companyId, clerkId), keyring);
  await dataSource.query(`UPDATE clerks SET totp_secret = $1 WHERE company_id = $2 AND id = $3`, [sealed, companyId, clerkId]);
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
    `INSERT INTO clerks (company_id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [company.id, email, options.name ?? `Teszt ${role} ${clerkSequence}`, role, await cachedHash],
  )) as Array<{ id: number }>;
  if (options.totpSecret) await setTestClerkTotpSecret(dataSource, company.id, row.id, options.totpSecret);
  return { id: row.id, companyId: company.id, companyCode: company.code, email, password: TEST_CLERK_PASSWORD, role };
}
