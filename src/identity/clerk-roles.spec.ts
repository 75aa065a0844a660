import { assignableRoles, isClerkRole, mustEnrolTotpNow, roleAtLeast } from './clerk-roles';
import { ClerkRole } from './clerk.entity';

describe('clerk roles', () => {
  it('order clerk < supervisor < admin', () => {
    const table: Array<[ClerkRole, ClerkRole, boolean]> = [
      ['clerk', 'clerk', true],
      ['clerk', 'supervisor', false],
      ['clerk', 'admin', false],
      ['supervisor', 'clerk', true],
      ['supervisor', 'supervisor', true],
      ['supervisor', 'admin', false],
      ['admin', 'clerk', true],
      ['admin', 'supervisor', true],
      ['admin', 'admin', true],
    ];
    for (const [actual, required, allowed] of table)
      expect({ actual, required, allowed: roleAtLeast(actual, required) }).toEqual({ actual, required, allowed });
  });

  it('refuse an unknown role', () => {
    expect(roleAtLeast('root' as ClerkRole, 'clerk')).toBe(false);
    expect(isClerkRole('root')).toBe(false);
    expect(isClerkRole('supervisor')).toBe(true);
  });

  it('require a second factor of every role; a company grace period only for clerks and supervisors not reset', () => {
    const createdAt = new Date('2026-11-01T08:00:00Z');
    const at = (iso: string) => new Date(iso);
    const base = { enrolled: false, resetByAdmin: false, createdAt };
    for (const role of ['clerk', 'supervisor', 'admin'] as const) expect(mustEnrolTotpNow({ ...base, role }, 0, createdAt)).toBe(true);
    expect(mustEnrolTotpNow({ ...base, role: 'clerk' }, 7, at('2026-11-08T07:59:59Z'))).toBe(false);
    expect(mustEnrolTotpNow({ ...base, role: 'supervisor' }, 7, at('2026-11-08T08:00:00Z'))).toBe(true);
    expect(mustEnrolTotpNow({ ...base, role: 'admin' }, 7, at('2026-11-02T08:00:00Z'))).toBe(true);
    expect(mustEnrolTotpNow({ ...base, role: 'clerk', resetByAdmin: true }, 7, at('2026-11-02T08:00:00Z'))).toBe(true);
    expect(mustEnrolTotpNow({ ...base, role: 'admin', enrolled: true }, 0, createdAt)).toBe(false);
  });

  it('let only admins assign roles', () => {
    expect(assignableRoles('supervisor')).toEqual([]);
    expect(assignableRoles('admin')).toEqual(['clerk', 'supervisor', 'admin']);
  });
});
