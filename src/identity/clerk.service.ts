import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { assignableRoles, roleAtLeast } from './clerk-roles';
import { Clerk, ClerkRole } from './clerk.entity';
import { hashPassword } from './password-hasher';
import { checkPassword, PasswordProblem } from './password-policy';
import { SecurityAuditService, SecurityEventName } from './security-audit.service';
import { SessionService } from './session.service';

/** The clerk acting, as the guard loaded it. */
export interface ClerkActor {
  companyId: number;
  clerkId: number;
  role: ClerkRole;
}

export interface ClerkView {
  id: number;
  name: string;
  email: string;
  role: ClerkRole;
  active: boolean;
  totpEnrolled: boolean;
  /** The clerk must enrol a second factor at the next login whatever the company's grace period: an admin, or anyone whose factor an admin reset. */
  totpRequired: boolean;
  createdAt: Date;
}

export interface NewClerk {
  name: string;
  email: string;
  role: ClerkRole;
  password: string;
}

export type CreateClerkResult =
  | { kind: 'created'; clerk: ClerkView }
  | { kind: 'forbidden' }
  | { kind: 'emailTaken' }
  | { kind: 'weakPassword'; problem: PasswordProblem };

/** What an admin can do to a clerk account. */
export type ClerkAction = 'resetTotp' | 'deactivate' | 'reactivate' | 'changeRole';

/**
 * The outcome of an admin's action on a clerk. `unchanged`: the clerk already was
 * so (deactivating an inactive clerk, giving the role they have); nothing written.
 */
export type ClerkChangeResult =
  | { kind: 'changed'; clerk: ClerkView }
  | { kind: 'unchanged'; clerk: ClerkView }
  /** The actor is not (or no longer) an active admin. */
  | { kind: 'forbidden' }
  /** No such clerk in the actor's company (another company's id included). */
  | { kind: 'notFound' }
  /** An admin may not deactivate or demote themselves, nor reset their own second factor. */
  | { kind: 'self' }
  /** The clerk is the company's last active admin: it would be left without one. */
  | { kind: 'lastAdmin' }
  /** A second-factor reset of a clerk who has none. */
  | { kind: 'noSecondFactor' };

type Refusal = Extract<ClerkChangeResult, { kind: 'self' | 'lastAdmin' | 'noSecondFactor' }>['kind'];

/** What an action decides for its target: refuse, nothing to do, or these column changes with this audit event. */
type Decision =
  | { refuse: Refusal }
  | { unchanged: true }
  | { set: Partial<Pick<Clerk, 'role' | 'active' | 'totpSecret' | 'totpRequired'>>; event: SecurityEventName; detail?: string };

interface Situation {
  target: Clerk;
  self: boolean;
  /** The target is an active admin and no other active admin of the company is left. */
  lastActiveAdmin: boolean;
}

const MAX_ID = 2_147_483_647;

function validId(id: number): boolean {
  return Number.isSafeInteger(id) && id > 0 && id <= MAX_ID;
}

function view(clerk: Clerk): ClerkView {
  return {
    id: clerk.id,
    name: clerk.name,
    email: clerk.email,
    role: clerk.role,
    active: clerk.active,
    totpEnrolled: clerk.totpSecret !== null,
    totpRequired: clerk.role === 'admin' || clerk.totpRequired,
    createdAt: clerk.createdAt,
  };
}

/**
 * Clerk accounts of one company: every query is scoped to the acting clerk's company.
 * Each change an admin makes is one transaction: the rule check on locked rows, the
 * update, its audit event, and (last, so that a Redis failure rolls the change back)
 * the end of every session and token of the changed clerk.
 */
@Injectable()
export class ClerkService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: SecurityAuditService,
    private readonly sessions: SessionService,
  ) {}

  /** The company's clerks, by name; admins only (null when the actor may not see them). */
  async list(actor: ClerkActor): Promise<ClerkView[] | null> {
    if (!roleAtLeast(actor.role, 'admin')) return null;
    const clerks = await this.dataSource.manager.find(Clerk, { where: { companyId: actor.companyId }, order: { name: 'ASC', id: 'ASC' } });
    return clerks.map(view);
  }

  /** One clerk of the actor's company; undefined for another company's id or an unknown one. */
  async find(actor: ClerkActor, clerkId: number): Promise<ClerkView | undefined> {
    if (!roleAtLeast(actor.role, 'admin') && actor.clerkId !== clerkId) return undefined;
    if (!validId(clerkId)) return undefined;
    const clerk = await this.dataSource.manager.findOne(Clerk, { where: { companyId: actor.companyId, id: clerkId } });
    return clerk ? view(clerk) : undefined;
  }

  /** An admin creates a clerk in the admin's own company; recorded in the audit trail in the same transaction. */
  async create(actor: ClerkActor, input: NewClerk, ip: string | null): Promise<CreateClerkResult> {
    if (!assignableRoles(actor.role).includes(input.role)) return { kind: 'forbidden' };
    const problem = checkPassword(input.password);
    if (problem) return { kind: 'weakPassword', problem };
    const passwordHash = await hashPassword(input.password);
    try {
      return await this.dataSource.transaction(async (manager) => {
        const taken = await manager
          .createQueryBuilder(Clerk, 'c')
          .where('c.company_id = :companyId AND lower(c.email) = lower(:email)', { companyId: actor.companyId, email: input.email })
          .getExists();
        if (taken) return { kind: 'emailTaken' } as const;
        const inserted = await manager.save(
          manager.create(Clerk, {
            companyId: actor.companyId,
            email: input.email.trim(),
            name: input.name.trim(),
            role: input.role,
            passwordHash,
            totpSecret: null,
            active: true,
          }),
        );
        await this.audit.record(manager, {
          companyId: actor.companyId,
          actorKind: 'clerk',
          actorId: inserted.id,
          event: 'clerk_created',
          ip,
          detail: `by clerk ${actor.clerkId} as ${input.role}`,
        });
        return { kind: 'created', clerk: view(inserted) } as const;
      });
    } catch (error) {
      // Two admins creating the same e-mail at once: the unique index decides.
      if (error instanceof QueryFailedError && (error as unknown as { code?: string }).code === '23505') return { kind: 'emailTaken' };
      throw error;
    }
  }

  /** One admin action on a clerk by name; `role` is the new role of `changeRole`. */
  administer(actor: ClerkActor, clerkId: number, action: ClerkAction, role: ClerkRole, ip: string | null): Promise<ClerkChangeResult> {
    switch (action) {
      case 'resetTotp':
        return this.resetTotp(actor, clerkId, ip);
      case 'deactivate':
        return this.deactivate(actor, clerkId, ip);
      case 'reactivate':
        return this.reactivate(actor, clerkId, ip);
      case 'changeRole':
        return this.changeRole(actor, clerkId, role, ip);
    }
  }

  /**
   * Clears the clerk's second factor (a lost phone). The clerk must enrol a new one at
   * the next login, whatever the role. Not the admin's own: a session alone must never
   * be enough to replace a second factor.
   */
  resetTotp(actor: ClerkActor, clerkId: number, ip: string | null): Promise<ClerkChangeResult> {
    return this.change(actor, clerkId, ip, ({ target, self }) => {
      if (self) return { refuse: 'self' };
      if (target.totpSecret === null) return { refuse: 'noSecondFactor' };
      return { set: { totpSecret: null, totpRequired: true }, event: 'totp_reset' };
    });
  }

  /** The clerk can no longer log in; their sessions and tokens end. Not the admin's own account, nor the last active admin. */
  deactivate(actor: ClerkActor, clerkId: number, ip: string | null): Promise<ClerkChangeResult> {
    return this.change(actor, clerkId, ip, ({ target, self, lastActiveAdmin }) => {
      if (lastActiveAdmin) return { refuse: 'lastAdmin' };
      if (self) return { refuse: 'self' };
      if (!target.active) return { unchanged: true };
      return { set: { active: false }, event: 'clerk_deactivated' };
    });
  }

  /** A deactivated clerk may log in again (with the password and second factor they had). */
  reactivate(actor: ClerkActor, clerkId: number, ip: string | null): Promise<ClerkChangeResult> {
    return this.change(actor, clerkId, ip, ({ target }) => {
      if (target.active) return { unchanged: true };
      return { set: { active: true }, event: 'clerk_reactivated' };
    });
  }

  /**
   * Gives the clerk another role. A new admin without a second factor must enrol one
   * before anything else. An admin cannot demote themselves, nor the last active admin.
   */
  async changeRole(actor: ClerkActor, clerkId: number, role: ClerkRole, ip: string | null): Promise<ClerkChangeResult> {
    if (!assignableRoles(actor.role).includes(role)) return { kind: 'forbidden' };
    return this.change(actor, clerkId, ip, ({ target, self, lastActiveAdmin }) => {
      if (target.role === role) return { unchanged: true };
      if (lastActiveAdmin && role !== 'admin') return { refuse: 'lastAdmin' };
      if (self) return { refuse: 'self' };
      return { set: { role }, event: 'clerk_role_changed', detail: `${target.role} -> ${role}` };
    });
  }

  /**
   * One admin action in one transaction. The rows that decide the rules (actor, target
   * and every active admin of the company) are locked in id order first, so two admins
   * demoting or deactivating each other at once cannot leave the company without one:
   * the second waits, then sees the first's change.
   */
  private async change(
    actor: ClerkActor,
    clerkId: number,
    ip: string | null,
    decide: (situation: Situation) => Decision,
  ): Promise<ClerkChangeResult> {
    if (!roleAtLeast(actor.role, 'admin')) return { kind: 'forbidden' };
    if (!validId(clerkId)) return { kind: 'notFound' };
    return this.dataSource.transaction(async (manager) => {
      const rows = await lockDecidingRows(manager, actor, clerkId);
      const acting = rows.find((row) => row.id === actor.clerkId);
      if (!acting?.active || !roleAtLeast(acting.role, 'admin')) return { kind: 'forbidden' } as const;
      const target = rows.find((row) => row.id === clerkId);
      if (!target) return { kind: 'notFound' } as const;
      const otherActiveAdmins = rows.filter((row) => row.id !== target.id && row.active && row.role === 'admin').length;
      const decision = decide({
        target,
        self: target.id === actor.clerkId,
        lastActiveAdmin: target.active && target.role === 'admin' && otherActiveAdmins === 0,
      });
      if ('refuse' in decision) return { kind: decision.refuse };
      if ('unchanged' in decision) return { kind: 'unchanged', clerk: view(target) } as const;
      await manager.update(Clerk, { companyId: actor.companyId, id: target.id }, decision.set);
      await this.audit.record(manager, {
        companyId: actor.companyId,
        actorKind: 'clerk',
        actorId: target.id,
        event: decision.event,
        ip,
        detail: `by clerk ${actor.clerkId}${decision.detail ? `: ${decision.detail}` : ''}`,
      });
      // Last step before the commit: if Redis fails, nothing changes and no session outlives the change.
      await this.sessions.endAllFor({ kind: 'clerk', companyId: actor.companyId, id: target.id });
      return { kind: 'changed', clerk: view({ ...target, ...decision.set }) } as const;
    });
  }
}

/** Locks, in id order, the actor, the target and every active admin of the actor's company. */
function lockDecidingRows(manager: EntityManager, actor: ClerkActor, clerkId: number): Promise<Clerk[]> {
  return manager
    .createQueryBuilder(Clerk, 'c')
    .where('c.company_id = :companyId', { companyId: actor.companyId })
    .andWhere(`(c.id IN (:...ids) OR (c.role = 'admin' AND c.active))`, { ids: [actor.clerkId, clerkId] })
    .orderBy('c.id')
    .setLock('pessimistic_write')
    .getMany();
}
