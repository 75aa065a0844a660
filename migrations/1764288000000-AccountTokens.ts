import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Single-use links e-mailed to customers (registration verification, password reset).
 * Only a SHA-256 of the token is stored, so a database dump holds no usable link.
 */
export class AccountTokens1764288000000 implements MigrationInterface {
  name = 'AccountTokens1764288000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE account_tokens (
        id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        company_id   integer NOT NULL,
        customer_id  bigint NOT NULL,
        purpose      text NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
        token_hash   text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
        email        text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
        expires_at   timestamptz NOT NULL,
        used_at      timestamptz,
        created_at   timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (company_id, customer_id) REFERENCES customers(company_id, id) ON DELETE CASCADE,
        CONSTRAINT account_tokens_token_hash_key UNIQUE (token_hash)
      )`);
    await q.query(`CREATE INDEX account_tokens_customer_idx ON account_tokens (company_id, customer_id, purpose)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE account_tokens`);
  }
}
