import { assignableRoles, isClerkRole, roleAtLeast, totpRequiredFor } from './clerk-roles';
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

  it('require TOTP of admins only, and let only admins assign roles', () => {
    expect([totpRequiredFor('clerk'), totpRequiredFor('supervisor'), totpRequiredFor('admin')]).toEqual([false, false, true]);
    expect(assignableRoles('supervisor')).toEqual([]);
    expect(assignableRoles('admin')).toEqual(['clerk', 'supervisor', 'admin']);
  });
});
