import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { roleAtLeast } from '../identity/clerk-roles';
import { ClerkRole } from '../identity/clerk.entity';
import { sameSecret } from '../../libs/crypto/tokens';
import { newApiKey, parseApiKey } from './api-key-format';
import { IntegrationApiKey } from './integration-api-key.entity';
import { IntegrationAuditEvent, IntegrationAuditEventName } from './integration-audit-event.entity';
import { IntegrationPrincipal } from './integration-principal';

/** Who administers keys: admins of one company. */
export interface KeyAdmin {
  companyId: number;
  clerkId: number;
  role: ClerkRole;
}

export const KEY_ADMIN_ROLE: ClerkRole = 'admin';
export const MAX_KEY_NAME_LENGTH = 100;

export interface ApiKeyView {
  id: number;
  name: string;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export type CreateKeyResult = { kind: 'created'; key: string; view: ApiKeyView } | { kind: 'forbidden' } | { kind: 'invalidName' };
export type RevokeKeyResult = { kind: 'revoked' | 'alreadyRevoked'; view: ApiKeyView } | { kind: 'forbidden' } | { kind: 'notFound' };

/** Why a presented key was refused (for the audit trail and the log; the caller only hears 401). */
export type KeyRefusal = 'missing' | 'malformed' | 'unknown' | 'wrong_secret' | 'revoked';

export type AuthenticateResult = { kind: 'accepted'; principal: IntegrationPrincipal } | { kind: 'refused'; reason: KeyRefusal };

export interface IntegrationCall {
  operation: string;
  status: number;
  ip: string | null;
  detail?: string;
}

const MAX_OPERATION_LENGTH = 200;
const MAX_DETAIL_LENGTH = 500;
const MAX_IP_LENGTH = 64;

/** The billing back office's API keys: created and revoked by admins, checked on every integration call, every call audited. */
@Injectable()
export class ApiKeysService {
  constructor(private readonly dataSource: DataSource) {}

  async list(admin: KeyAdmin): Promise<ApiKeyView[] | null> {
    if (!roleAtLeast(admin.role, KEY_ADMIN_ROLE)) return null;
    const rows = await this.dataSource.manager.find(IntegrationApiKey, {
      where: { companyId: admin.companyId },
      order: { id: 'DESC' },
    });
    return rows.map(toView);
  }

  /** A new key for the admin's company; the whole key is in the answer only (shown once). */
  async create(admin: KeyAdmin, name: string, ip: string | null): Promise<CreateKeyResult> {
    if (!roleAtLeast(admin.role, KEY_ADMIN_ROLE)) return { kind: 'forbidden' };
    const trimmed = name.trim();
    if (trimmed.length === 0 || trimmed.length > MAX_KEY_NAME_LENGTH) return { kind: 'invalidName' };
    const fresh = newApiKey();
    return this.dataSource.transaction(async (manager) => {
      const row = await manager.save(
        manager.create(IntegrationApiKey, {
          companyId: admin.companyId,
          name: trimmed,
          keyPrefix: fresh.prefix,
          secretHash: fresh.hash,
          createdByClerkId: admin.clerkId,
          revokedAt: null,
          revokedByClerkId: null,
          lastUsedAt: null,
        }),
      );
      await this.audit(manager, row, 'key_created', { clerkId: admin.clerkId, ip, detail: trimmed });
      return { kind: 'created', key: fresh.key, view: toView(row) } as const;
    });
  }

  /** Revokes one key of the admin's company at once; another company's id is not found. */
  async revoke(admin: KeyAdmin, keyId: number, ip: string | null): Promise<RevokeKeyResult> {
    if (!roleAtLeast(admin.role, KEY_ADMIN_ROLE)) return { kind: 'forbidden' };
    if (!Number.isSafeInteger(keyId) || keyId <= 0) return { kind: 'notFound' };
    return this.dataSource.transaction(async (manager) => {
      const row = await manager.findOne(IntegrationApiKey, {
        where: { companyId: admin.companyId, id: keyId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) return { kind: 'notFound' } as const;
      if (row.revokedAt) return { kind: 'alreadyRevoked', view: toView(row) } as const;
      row.revokedAt = new Date();
      row.revokedByClerkId = admin.clerkId;
      await manager.update(
        IntegrationApiKey,
        { companyId: admin.companyId, id: keyId, revokedAt: IsNull() },
        {
          revokedAt: row.revokedAt,
          revokedByClerkId: admin.clerkId,
        },
      );
      await this.audit(manager, row, 'key_revoked', { clerkId: admin.clerkId, ip });
      return { kind: 'revoked', view: toView(row) } as const;
    });
  }

  /**
   * Checks a presented key against the database on every call (a revocation takes effect
   * at once) and records its last use. A key with a known prefix but a wrong secret, or a
   * revoked one, is audited in its company's trail.
   */
  async authenticate(presented: string | null, call: Omit<IntegrationCall, 'status'>): Promise<AuthenticateResult> {
    if (presented === null) return { kind: 'refused', reason: 'missing' };
    const parsed = parseApiKey(presented);
    if (!parsed) return { kind: 'refused', reason: 'malformed' };
    const row = await this.dataSource.manager.findOne(IntegrationApiKey, { where: { keyPrefix: parsed.prefix } });
    if (!row) return { kind: 'refused', reason: 'unknown' };
    const reason: KeyRefusal | null = !sameSecret(row.secretHash, parsed.hash) ? 'wrong_secret' : row.revokedAt ? 'revoked' : null;
    if (reason) {
      await this.audit(this.dataSource.manager, row, 'call_refused', { ...call, status: 401, detail: reason });
      return { kind: 'refused', reason };
    }
    await this.dataSource.manager.update(IntegrationApiKey, { companyId: row.companyId, id: row.id }, { lastUsedAt: new Date() });
    return { kind: 'accepted', principal: { companyId: row.companyId, keyId: row.id } };
  }

  /** The calling key as its admin sees it (for a client checking its set-up). */
  async describe(principal: IntegrationPrincipal): Promise<(ApiKeyView & { company: string }) | null> {
    const row = await this.dataSource.manager.findOne(IntegrationApiKey, {
      where: { companyId: principal.companyId, id: principal.keyId },
    });
    if (!row) return null;
    const [company] = await this.dataSource.query<Array<{ code: string }>>(`SELECT code FROM companies WHERE id = $1`, [
      principal.companyId,
    ]);
    return { ...toView(row), company: company.code };
  }

  /** Records one answered call of an accepted key. */
  async recordCall(principal: IntegrationPrincipal, call: IntegrationCall): Promise<void> {
    await this.audit(this.dataSource.manager, { companyId: principal.companyId, id: principal.keyId }, 'call', call);
  }

  private async audit(
    manager: EntityManager,
    key: { companyId: number; id: number },
    event: IntegrationAuditEventName,
    entry: { clerkId?: number; operation?: string; status?: number; detail?: string; ip: string | null },
  ): Promise<void> {
    await manager.insert(IntegrationAuditEvent, {
      companyId: key.companyId,
      keyId: key.id,
      event,
      clerkId: entry.clerkId ?? null,
      operation: entry.operation?.slice(0, MAX_OPERATION_LENGTH) ?? null,
      status: entry.status ?? null,
      detail: entry.detail?.slice(0, MAX_DETAIL_LENGTH) ?? null,
      ip: entry.ip?.slice(0, MAX_IP_LENGTH) ?? null,
    });
  }
}

function toView(row: IntegrationApiKey): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.keyPrefix,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
  };
}
