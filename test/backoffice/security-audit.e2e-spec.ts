import { DataSource } from 'typeorm';
import { createTestCompany, openTestDataSource } from '../support/database';
import { SecurityAuditService } from '../../src/identity/security-audit.service';

describe('SecurityAuditService (Postgres)', () => {
  let dataSource: DataSource;
  let audit: SecurityAuditService;
  let companyA: number;
  let companyB: number;

  beforeAll(async () => {
    dataSource = await openTestDataSource();
    audit = new SecurityAuditService(dataSource);
    companyA = await createTestCompany(dataSource);
    companyB = await createTestCompany(dataSource);
    for (let i = 1; i <= 5; i += 1) {
      await audit.record(undefined, { companyId: companyA, actorKind: 'clerk', actorId: 1, event: 'login_succeeded', ip: '10.0.0.1' });
      await audit.record(undefined, {
        companyId: companyA,
        actorKind: 'customer',
        actorId: i,
        event: 'login_failed',
        ip: null,
        detail: `try ${i}`,
      });
    }
    await audit.record(undefined, { companyId: companyB, actorKind: 'clerk', actorId: 2, event: 'lockout', ip: null });
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  /** The trail as a supervisor of `companyId` reads it. */
  const listAs = async (companyId: number, query: Parameters<SecurityAuditService['list']>[1]) => {
    const page = await audit.list({ companyId, role: 'supervisor' }, query);
    if (!page) throw new Error('a supervisor must be able to read the trail');
    return page;
  };

  it('is read by supervisors and admins only', async () => {
    expect(await audit.list({ companyId: companyA, role: 'clerk' }, { limit: 5 })).toBeNull();
    expect(await audit.list({ companyId: companyA, role: 'admin' }, { limit: 5 })).not.toBeNull();
    const [first] = (await listAs(companyA, { limit: 1 })).items;
    expect(await audit.get({ companyId: companyA, role: 'clerk' }, first.id)).toBeUndefined();
    expect(await audit.get({ companyId: companyA, role: 'supervisor' }, first.id)).toEqual(first);
  });

  it('pages one company newest first without gaps or repeats', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAs(companyA, { limit: 3, before: cursor });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(10);
    expect(new Set(seen).size).toBe(10);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
  });

  it('filters by actor kind and actor, and never shows another company', async () => {
    const customers = await listAs(companyA, { actorKind: 'customer', limit: 50 });
    expect(customers.items).toHaveLength(5);
    expect(customers.items.every((item) => item.actorKind === 'customer')).toBe(true);
    const one = await listAs(companyA, { actorKind: 'customer', actorId: 3, limit: 50 });
    expect(one.items.map((item) => item.detail)).toEqual(['try 3']);
    const b = await listAs(companyB, { limit: 50 });
    expect(b.items.map((item) => item.event)).toEqual(['lockout']);
  });

  it("ignores a cursor from another company's rows", async () => {
    const [bRow] = (await listAs(companyB, { limit: 1 })).items;
    expect((await listAs(companyA, { limit: 50, before: String(bRow.id) })).items).toHaveLength(0);
  });

  it('writes in the caller transaction: a rollback takes the event with it', async () => {
    await dataSource
      .transaction(async (manager) => {
        await audit.record(manager, { companyId: companyB, actorKind: 'customer', actorId: 9, event: 'account_deleted', ip: null });
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect((await listAs(companyB, { actorKind: 'customer', limit: 50 })).items).toHaveLength(0);
  });

  it('is append-only', async () => {
    await expect(dataSource.query(`DELETE FROM security_events WHERE company_id = $1`, [companyB])).rejects.toThrow(/append-only/);
  });
});
