import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ClerkRole } from './clerk.entity';
import { roleAtLeast } from './clerk-roles';
import { SECURITY_ACTOR_KINDS, SECURITY_EVENT_NAMES, SecurityActorKind, SecurityEvent, SecurityEventName } from './security-event.entity';

export type { SecurityActorKind, SecurityEventName } from './security-event.entity';

export interface SecurityEventInput {
  companyId: number;
  actorKind: SecurityActorKind;
  actorId: number | null;
  event: SecurityEventName;
  ip: string | null;
  detail?: string;
}

export interface SecurityEventView {
  id: number;
  actorKind: SecurityActorKind;
  actorId: number | null;
  event: SecurityEventName;
  ip: string | null;
  detail: string | null;
  createdAt: Date;
}

export interface SecurityEventPage {
  items: SecurityEventView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface SecurityEventQuery {
  actorKind?: SecurityActorKind;
  actorId?: number;
  /** The `nextCursor` of the previous page. */
  before?: string;
  limit: number;
}

export const MAX_IP_LENGTH = 64;
export const MAX_DETAIL_LENGTH = 500;
export const MAX_PAGE_SIZE = 200;

export class InvalidSecurityEventError extends Error {}

/**
 * Checks an event before it is written: the kind and name must be known (a typo is
 * a programming error and throws); ip and detail are cut to what the table allows,
 * so an odd proxy header or a long e-mail address can never make a login fail.
 */
export function normaliseSecurityEvent(input: SecurityEventInput): Omit<SecurityEvent, 'id' | 'createdAt'> {
  if (!Number.isSafeInteger(input.companyId) || input.companyId <= 0)
    throw new InvalidSecurityEventError('companyId must be a positive id');
  if (!(SECURITY_ACTOR_KINDS as readonly string[]).includes(input.actorKind)) {
    throw new InvalidSecurityEventError(`unknown actor kind ${String(input.actorKind)}`);
  }
  if (!(SECURITY_EVENT_NAMES as readonly string[]).includes(input.event)) {
    throw new InvalidSecurityEventError(`unknown security event ${String(input.event)}`);
  }
  if (input.actorId !== null && (!Number.isSafeInteger(input.actorId) || input.actorId <= 0)) {
    throw new InvalidSecurityEventError('actorId must be a positive id or null');
  }
  const detail = input.detail === undefined || input.detail === '' ? null : input.detail.slice(0, MAX_DETAIL_LENGTH);
  const ip = input.ip === null || input.ip === '' ? null : input.ip.slice(0, MAX_IP_LENGTH);
  return { companyId: input.companyId, actorKind: input.actorKind, actorId: input.actorId, event: input.event, ip, detail };
}

/** A cursor is the id of the last row shown; anything else is refused. */
export function parseCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(cursor)) throw new InvalidSecurityEventError('invalid cursor');
  return Number(cursor);
}

/** The security audit trail: who logged in, failed, was locked out, changed a password… per company. */

/** Who reads the trail: supervisors and admins of one company. */
export interface AuditViewer {
  companyId: number;
  role: ClerkRole;
}

const AUDIT_READER: ClerkRole = 'supervisor';

@Injectable()
export class SecurityAuditService {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Writes one event. Pass the use case's transaction manager when the event belongs
   * to a change (it then commits or rolls back with it); undefined writes on its own.
   */
  async record(manager: EntityManager | undefined, event: SecurityEventInput): Promise<void> {
    const row = normaliseSecurityEvent(event);
    await (manager ?? this.dataSource.manager).insert(SecurityEvent, row);
  }

  /** One event of the viewer's company; undefined for another company's id, an unknown one, or a viewer below supervisor. */
  async get(viewer: AuditViewer, id: number): Promise<SecurityEventView | undefined> {
    if (!roleAtLeast(viewer.role, AUDIT_READER) || !Number.isSafeInteger(id) || id <= 0) return undefined;
    const { companyId } = viewer;
    const row = await this.dataSource.manager.findOne(SecurityEvent, { where: { companyId, id } });
    return row ? toView(row) : undefined;
  }

  /**
   * One company's events, newest first, keyset-paginated. Without an actor the
   * order is (created_at, id); for one actor it is id (the actor index). Null for a
   * viewer below supervisor.
   */
  async list(viewer: AuditViewer, query: SecurityEventQuery): Promise<SecurityEventPage | null> {
    if (!roleAtLeast(viewer.role, AUDIT_READER)) return null;
    const { companyId } = viewer;
    const limit = Math.min(Math.max(Math.trunc(query.limit), 1), MAX_PAGE_SIZE);
    const before = parseCursor(query.before);
    const builder = this.dataSource.manager
      .createQueryBuilder(SecurityEvent, 'e')
      .where('e.company_id = :companyId', { companyId })
      .limit(limit + 1);
    if (query.actorKind) builder.andWhere('e.actor_kind = :actorKind', { actorKind: query.actorKind });
    const byActor = query.actorKind !== undefined && query.actorId !== undefined;
    if (byActor) {
      builder.andWhere('e.actor_id = :actorId', { actorId: query.actorId });
      if (before !== undefined) builder.andWhere('e.id < :before', { before });
      builder.orderBy('e.id', 'DESC');
    } else {
      if (query.actorId !== undefined) builder.andWhere('e.actor_id = :actorId', { actorId: query.actorId });
      if (before !== undefined) {
        // The cursor row must be this company's; another company's id matches nothing.
        builder.andWhere(
          '(e.created_at, e.id) < (SELECT c.created_at, c.id FROM security_events c WHERE c.id = :before AND c.company_id = :companyId)',
          { before },
        );
      }
      builder.orderBy('e.created_at', 'DESC').addOrderBy('e.id', 'DESC');
    }
    const rows = await builder.getMany();
    const items = rows.slice(0, limit).map(toView);
    return { items, nextCursor: rows.length > limit ? String(items[items.length - 1].id) : null };
  }
}

function toView(row: SecurityEvent): SecurityEventView {
  return {
    id: row.id,
    actorKind: row.actorKind,
    actorId: row.actorId,
    event: row.event,
    ip: row.ip,
    detail: row.detail,
    createdAt: row.createdAt,
  };
}
