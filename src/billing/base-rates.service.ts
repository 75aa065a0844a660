import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { roleAtLeast } from '../identity/clerk-roles';
import { ClerkRole } from '../identity/clerk.entity';
import { SecurityAuditService } from '../identity/security-audit.service';
import { CentralBankBaseRate } from './base-rate.entity';

export interface BaseRateRow {
  validFrom: string;
  rate: number;
  /** Null for the MNB history the migration seeded. */
  addedBy: { companyId: number; clerkId: number } | null;
}

export type AddBaseRateResult =
  | { kind: 'added'; validFrom: string; rate: number }
  | { kind: 'forbidden' }
  | { kind: 'exists' }
  | { kind: 'invalid'; reason: 'date' | 'rate' };

/** Who may extend the history: supervisors and admins. */
export const BASE_RATE_EDITOR: ClerkRole = 'supervisor';

/** The central bank base-rate history the interest rule reads; supervisors add the MNB's new rates. */
@Injectable()
export class BaseRates {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: SecurityAuditService,
  ) {}

  async list(): Promise<BaseRateRow[]> {
    const rows = await this.dataSource.manager.find(CentralBankBaseRate, { order: { validFrom: 'DESC' } });
    return rows.map((row) => ({
      validFrom: row.validFrom,
      rate: row.rate,
      addedBy: row.companyId !== null && row.clerkId !== null ? { companyId: row.companyId, clerkId: row.clerkId } : null,
    }));
  }

  /** Adds the rate in force from `validFrom`; a day that has one already is refused, not overwritten. */
  async add(
    clerk: { companyId: number; clerkId: number; role: ClerkRole },
    input: { validFrom: string; rate: number },
    ip: string | null,
  ): Promise<AddBaseRateResult> {
    if (!roleAtLeast(clerk.role, BASE_RATE_EDITOR)) return { kind: 'forbidden' };
    if (!isCalendarDay(input.validFrom)) return { kind: 'invalid', reason: 'date' };
    if (!Number.isFinite(input.rate) || input.rate < 0 || input.rate >= 100 || Math.round(input.rate * 100) !== input.rate * 100) {
      return { kind: 'invalid', reason: 'rate' };
    }
    return this.dataSource.transaction(async (manager) => {
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(CentralBankBaseRate)
        .values({ validFrom: input.validFrom, rate: input.rate, companyId: clerk.companyId, clerkId: clerk.clerkId })
        .orIgnore()
        .execute();
      if (inserted.identifiers.length === 0 || inserted.raw.length === 0) return { kind: 'exists' } as const;
      await this.audit.record(manager, {
        companyId: clerk.companyId,
        actorKind: 'clerk',
        actorId: clerk.clerkId,
        event: 'base_rate_added',
        ip,
        detail: `${input.validFrom} ${input.rate}%`,
      });
      return { kind: 'added', validFrom: input.validFrom, rate: input.rate } as const;
    });
  }
}

function isCalendarDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value && value >= '2000-01-01' && value <= '2100-12-31';
}
