import { Injectable } from '@nestjs/common';
import { DataSource, QueryFailedError } from 'typeorm';
import { assignableRoles, roleAtLeast } from './clerk-roles';
import { Clerk, ClerkRole } from './clerk.entity';
import { hashPassword } from './password-hasher';
import { checkPassword, PasswordProblem } from './password-policy';
import { SecurityAuditService } from './security-audit.service';

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

function view(clerk: Clerk): ClerkView {
  return {
    id: clerk.id,
    name: clerk.name,
    email: clerk.email,
    role: clerk.role,
    active: clerk.active,
    totpEnrolled: clerk.totpSecret !== null,
    createdAt: clerk.createdAt,
  };
}

/** Clerk accounts of one company: every query is scoped to the acting clerk's company. */
@Injectable()
export class ClerkService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: SecurityAuditService,
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
    if (!Number.isSafeInteger(clerkId) || clerkId <= 0 || clerkId > 2_147_483_647) return undefined;
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
}
