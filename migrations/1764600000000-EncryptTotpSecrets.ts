import { MigrationInterface, QueryRunner } from 'typeorm';
import { loadTotpEncryptionKeys } from '../config/configuration';
import { clerkTotpContext, isSealedTotpSecret, openTotpSecret, parseTotpKeyring, sealTotpSecret } from '../src/identity/totp-secret-box';

interface SecretRow {
  id: number;
  company_id: number;
  totp_secret: string;
}

/**
 * Clerks' TOTP secrets are encrypted at rest (AES-256-GCM, src/identity/totp-secret-box.ts).
 * This seals every secret still stored in plain text with the first key of
 * TOTP_ENCRYPTION_KEYS, read from the environment (and `.env`) exactly as the portal reads
 * it: run it with the key the portal will run with. From now on a CHECK refuses plain text.
 * `down` opens them again (it needs the key that sealed them).
 */
export class EncryptTotpSecrets1764600000000 implements MigrationInterface {
  name = 'EncryptTotpSecrets1764600000000';

  public async up(q: QueryRunner): Promise<void> {
    const keyring = parseTotpKeyring(loadTotpEncryptionKeys());
    const rows: SecretRow[] = await q.query(`SELECT id, company_id, totp_secret FROM clerks WHERE totp_secret IS NOT NULL FOR UPDATE`);
    for (const row of rows.filter((each) => !isSealedTotpSecret(each.totp_secret))) {
      const sealed = sealTotpSecret(row.totp_secret, clerkTotpContext(row.company_id, row.id), keyring);
      await q.query(`UPDATE clerks SET totp_secret = $1 WHERE id = $2`, [sealed, row.id]);
    }
    await q.query(`ALTER TABLE clerks ADD CONSTRAINT clerks_totp_secret_check CHECK (totp_secret LIKE 'v1.%')`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE clerks DROP CONSTRAINT clerks_totp_secret_check`);
    const keyring = parseTotpKeyring(loadTotpEncryptionKeys());
    const rows: SecretRow[] = await q.query(`SELECT id, company_id, totp_secret FROM clerks WHERE totp_secret IS NOT NULL FOR UPDATE`);
    for (const row of rows.filter((each) => isSealedTotpSecret(each.totp_secret))) {
      const plain = openTotpSecret(row.totp_secret, clerkTotpContext(row.company_id, row.id), keyring);
      await q.query(`UPDATE clerks SET totp_secret = $1 WHERE id = $2`, [plain, row.id]);
    }
  }
}
