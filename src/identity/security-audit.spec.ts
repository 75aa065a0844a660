import { InvalidSecurityEventError, MAX_DETAIL_LENGTH, normaliseSecurityEvent, parseCursor } from './security-audit.service';
import { SecurityEventName } from './security-event.entity';

describe('normaliseSecurityEvent', () => {
  const base = { companyId: 1, actorKind: 'clerk' as const, actorId: 7, event: 'login_succeeded' as const, ip: '127.0.0.1' };

  it('keeps a valid event as it is, with an empty detail as null', () => {
    expect(normaliseSecurityEvent(base)).toEqual({ ...base, detail: null });
  });

  it('refuses an unknown event name or actor kind', () => {
    expect(() => normaliseSecurityEvent({ ...base, event: 'hacked' as SecurityEventName })).toThrow(InvalidSecurityEventError);
    expect(() => normaliseSecurityEvent({ ...base, actorKind: 'system' as 'clerk' })).toThrow(InvalidSecurityEventError);
  });

  it('refuses a bad company or actor id', () => {
    expect(() => normaliseSecurityEvent({ ...base, companyId: 0 })).toThrow(InvalidSecurityEventError);
    expect(() => normaliseSecurityEvent({ ...base, actorId: -1 })).toThrow(InvalidSecurityEventError);
    expect(normaliseSecurityEvent({ ...base, actorId: null }).actorId).toBeNull();
  });

  it('cuts an over-long detail and ip instead of failing the login that records them', () => {
    const event = normaliseSecurityEvent({ ...base, ip: 'x'.repeat(300), detail: 'y'.repeat(1000) });
    expect(event.detail).toHaveLength(MAX_DETAIL_LENGTH);
    expect(event.ip).toHaveLength(64);
  });
});

describe('parseCursor', () => {
  it('reads an id and refuses anything else', () => {
    expect(parseCursor(undefined)).toBeUndefined();
    expect(parseCursor('42')).toBe(42);
    for (const bad of ['0', '-1', 'abc', '1 OR 1=1', '1'.repeat(20)]) expect(() => parseCursor(bad)).toThrow(InvalidSecurityEventError);
  });
});
