/**
 * A small SVG bar chart of consumption per month, drawn on the server. Pure: the
 * same input gives the same markup. Every text is escaped; no inline style
 * attributes (the CSP forbids them), only SVG presentation attributes and classes.
 */

interface MonthlyConsumption {
  /** 'YYYY-MM' */
  month: string;
  consumption: number;
}

interface ConsumptionPoint {
  /** 'YYYY-MM-DD', the day of the reading that closes the period. */
  readOn: string;
  consumption: number | null;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Sums consumption by the month of the reading that closed each period (negative ones, e.g. a meter swap, are left out). */
export function consumptionByMonth(points: readonly ConsumptionPoint[], maxMonths = 12): MonthlyConsumption[] {
  const sums = new Map<string, number>();
  for (const point of points) {
    if (point.consumption === null || point.consumption < 0) continue;
    const month = point.readOn.slice(0, 7);
    sums.set(month, Math.round(((sums.get(month) ?? 0) + point.consumption) * 1000) / 1000);
  }
  return [...sums.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .slice(-maxMonths)
    .map(([month, consumption]) => ({ month, consumption }));
}

interface ChartOptions {
  /** Accessible name of the chart. */
  title: string;
  unit: string;
  /** Shown instead of bars when there is nothing to draw. */
  emptyText: string;
}

const WIDTH = 600;
const HEIGHT = 260;
const PAD = { top: 30, right: 10, bottom: 50, left: 10 };

function formatNumber(value: number): string {
  return String(Math.round(value * 1000) / 1000).replace('.', ',');
}

/** The chart as an `<svg>` string (viewBox-scaled, so it fits any width). */
export function renderConsumptionChart(months: readonly MonthlyConsumption[], options: ChartOptions): string {
  const title = escapeXml(options.title);
  const open = `<svg class="reading-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${title}" font-family="sans-serif"><title>${title}</title>`;
  if (months.length === 0) {
    return `${open}<text class="reading-chart__empty" x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">${escapeXml(options.emptyText)}</text></svg>`;
  }
  const max = Math.max(...months.map((m) => m.consumption), 0) || 1;
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / months.length;
  const barWidth = Math.max(4, slot * 0.7);
  const unit = escapeXml(options.unit);
  const bars = months.map((m, i) => {
    const height = Math.round((m.consumption / max) * plotHeight * 10) / 10;
    const x = Math.round((PAD.left + i * slot + (slot - barWidth) / 2) * 10) / 10;
    const y = Math.round((PAD.top + plotHeight - height) * 10) / 10;
    const cx = Math.round((PAD.left + i * slot + slot / 2) * 10) / 10;
    const label = escapeXml(m.month.replace('-', '.'));
    const value = escapeXml(formatNumber(m.consumption));
    return (
      `<g class="reading-chart__bar"><title>${label}: ${value} ${unit}</title>` +
      `<rect x="${x}" y="${y}" width="${Math.round(barWidth * 10) / 10}" height="${height}" fill="#1f6f8b"/>` +
      `<text x="${cx}" y="${Math.max(22, y - 6)}" text-anchor="middle" font-size="20">${value}</text>` +
      `<text x="${cx}" y="${HEIGHT - PAD.bottom + 24}" text-anchor="middle" font-size="20">${label}</text></g>`
    );
  });
  const axis = `<line x1="${PAD.left}" y1="${PAD.top + plotHeight}" x2="${WIDTH - PAD.right}" y2="${PAD.top + plotHeight}" stroke="#555" stroke-width="1"/>`;
  return `${open}${axis}${bars.join('')}<text x="${WIDTH - PAD.right}" y="${HEIGHT - 4}" text-anchor="end" font-size="20">${unit}</text></svg>`;
}
