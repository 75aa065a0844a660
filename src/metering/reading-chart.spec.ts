import { consumptionByMonth, escapeXml, renderConsumptionChart } from './reading-chart';

describe('reading chart', () => {
  it('sums consumption per month, oldest first, leaving out the first and negative periods', () => {
    expect(
      consumptionByMonth([
        { readOn: '2024-02-10', consumption: 5 },
        { readOn: '2024-01-05', consumption: null },
        { readOn: '2024-02-28', consumption: 1.5 },
        { readOn: '2024-03-01', consumption: -20 },
        { readOn: '2024-04-01', consumption: 3 },
      ]),
    ).toEqual([
      { month: '2024-02', consumption: 6.5 },
      { month: '2024-04', consumption: 3 },
    ]);
  });

  it('keeps the last months only', () => {
    const points = Array.from({ length: 20 }, (_, i) => ({ readOn: `20${10 + i}-01-01`, consumption: i }));
    const months = consumptionByMonth(points, 12);
    expect(months).toHaveLength(12);
    expect(months[0].month).toBe('2018-01');
  });

  it('draws one bar per month scaled to the largest, with labels and the unit', () => {
    const svg = renderConsumptionChart(
      [
        { month: '2024-01', consumption: 10 },
        { month: '2024-02', consumption: 5 },
      ],
      { title: 'Fogyasztás', unit: 'm³', emptyText: 'nincs adat' },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('height="180"');
    expect(svg).toContain('height="90"');
    expect(svg).toContain('2024.01');
    expect(svg).toContain('m³');
    expect(svg).not.toContain('style=');
  });

  it('escapes every text and says when there is nothing to draw', () => {
    const svg = renderConsumptionChart([], { title: '<script>"x"</script>', unit: 'm3', emptyText: 'a & b' });
    expect(svg).toContain('&lt;script&gt;&quot;x&quot;&lt;/script&gt;');
    expect(svg).toContain('a &amp; b');
    expect(svg).not.toContain('<script>');
    expect(escapeXml(`'`)).toBe('&#39;');
  });

  it('is deterministic and handles zero consumption', () => {
    const months = [{ month: '2024-01', consumption: 0 }];
    const a = renderConsumptionChart(months, { title: 't', unit: 'GJ', emptyText: '-' });
    expect(a).toBe(renderConsumptionChart(months, { title: 't', unit: 'GJ', emptyText: '-' }));
    expect(a).toContain('height="0"');
  });
});
