import { normalizeSegment, segmentCondition } from './message-segment';

describe('message segments', () => {
  it('keep only the filters given, the town trimmed', () => {
    expect(normalizeSegment({ town: '  Szentes ', serviceType: '', overdue: false })).toEqual({ town: 'Szentes' });
    expect(normalizeSegment({ serviceType: 'gas', overdue: true })).toEqual({ serviceType: 'gas', overdue: true });
    expect(normalizeSegment({ town: '   ', serviceType: 'electricity' })).toEqual({});
  });

  it('reach everyone with no filter', () => {
    expect(segmentCondition({}, 4, '2026-11-30')).toEqual({ where: 'true', params: [] });
  });

  it('put town and service type on the same service point, as numbered parameters', () => {
    const query = segmentCondition({ town: "Szentes'; DROP TABLE customers; --", serviceType: 'gas' }, 4, '2026-11-30');
    expect(query.params).toEqual(["Szentes'; DROP TABLE customers; --", 'gas']);
    expect(query.where).not.toContain('DROP');
    expect(query.where).toBe(
      'EXISTS (SELECT 1 FROM service_points sp WHERE sp.company_id = c.company_id AND sp.customer_id = c.id AND ' +
        'lower(sp.town) = lower($4) AND ' +
        'EXISTS (SELECT 1 FROM meters m WHERE m.company_id = sp.company_id AND m.service_point_id = sp.id AND m.type = $5))',
    );
  });

  it('add the overdue filter against the day given, with AND', () => {
    const query = segmentCondition({ serviceType: 'heat', overdue: true }, 2, '2026-11-30');
    expect(query.params).toEqual(['heat', '2026-11-30']);
    expect(query.where).toContain('m.type = $2');
    expect(query.where).toContain(
      ' AND EXISTS (SELECT 1 FROM invoices i WHERE i.company_id = c.company_id AND i.customer_id = c.id AND i.open_amount > 0 AND i.due_on < $3::date)',
    );
  });
});
