import type { ChartOption } from './Chart.tsx';
import type { Breakdown, Dashboard, DayRange } from './types.ts';

/** The dashboard's charts as ECharts options, from the dashboard's answer. */

const PALETTE = ['#b7312c', '#1677ff', '#faad14', '#13a8a8', '#722ed1', '#52c41a', '#eb2f96', '#fa8c16', '#2f54eb', '#8c8c8c'];

/** The region chart's plot area in pixels, fixed so that the browser test can find a bar. */
export const REGION_GRID = { left: 100, right: 40, top: 8, bottom: 24 };

const nextBucket = (bucket: string, unit: 'day' | 'month') => {
  if (unit === 'day') return new Date(Date.parse(`${bucket}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const [y, m] = bucket.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};

/** Every day (or month) of the range, with 0 where nothing was reported. */
export function trendBuckets(trend: Dashboard['trend'], range: DayRange): { bucket: string; n: number }[] {
  const counts = new Map(trend.points.map((p) => [p.bucket, p.n]));
  const last = trend.unit === 'day' ? range.to : range.to.slice(0, 7);
  const out: { bucket: string; n: number }[] = [];
  for (let b = trend.unit === 'day' ? range.from : range.from.slice(0, 7); b <= last && out.length < 1200; b = nextBucket(b, trend.unit)) out.push({ bucket: b, n: counts.get(b) ?? 0 });
  return out;
}

/** The city days a trend bucket covers, clipped to the range. */
export function bucketRange(bucket: string, unit: 'day' | 'month', range: DayRange): DayRange {
  if (unit === 'day') return { from: bucket, to: bucket };
  const end = new Date(Date.parse(`${nextBucket(bucket, 'month')}-01T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  return { from: `${bucket}-01` < range.from ? range.from : `${bucket}-01`, to: end > range.to ? range.to : end };
}

export function trendOption(points: { bucket: string; n: number }[], unit: 'day' | 'month'): ChartOption {
  return {
    color: PALETTE,
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 16, top: 16, bottom: 28 },
    xAxis: { type: 'category', data: points.map((p) => (unit === 'day' ? p.bucket.slice(5) : p.bucket)), boundaryGap: false },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'line', name: '反映问题', data: points.map((p) => p.n), smooth: true, symbolSize: 7, areaStyle: { opacity: 0.08 } }],
  };
}

export function pieOption(items: Breakdown, name: string): ChartOption {
  return {
    color: PALETTE,
    tooltip: { trigger: 'item', formatter: '{b}：{c} 件（{d}%）' },
    // the legend under the ring: long names (人民网领导留言板) beside it ran over it on a narrow card
    legend: { type: 'scroll', orient: 'horizontal', bottom: 0, left: 'center' },
    series: [{ type: 'pie', name, radius: ['35%', '62%'], center: ['50%', '44%'], label: { show: false }, data: items.map((x) => ({ name: x.name, value: x.n })) }],
  };
}

/** Horizontal bars, the biggest on top. */
export function barOption(items: { name: string; n: number }[], name: string, grid = { left: 120, right: 40, top: 8, bottom: 24 }): ChartOption {
  return {
    color: PALETTE,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { ...grid, outerBoundsMode: 'none' },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: items.map((x) => x.name), axisLabel: { width: grid.left - 12, overflow: 'truncate' } },
    series: [{ type: 'bar', name, data: items.map((x) => x.n), barMaxWidth: 22, label: { show: true, position: 'right' } }],
  };
}

/** The domains of this period, and of the period before, side by side. */
export function domainRows(current: Breakdown, previous: Breakdown): { code: string | null; name: string; n: number; previous: number }[] {
  const before = new Map(previous.map((x) => [x.code, x.n]));
  const rows = current.map((x) => ({ ...x, previous: before.get(x.code) ?? 0 }));
  for (const p of previous) if (!current.some((c) => c.code === p.code)) rows.push({ code: p.code, name: p.name, n: 0, previous: p.n });
  return rows;
}

export function domainOption(rows: ReturnType<typeof domainRows>): ChartOption {
  return {
    color: ['#b7312c', '#bfbfbf'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0 },
    grid: { left: 130, right: 40, top: 28, bottom: 24, outerBoundsMode: 'none' },
    xAxis: { type: 'value', minInterval: 1 },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.name), axisLabel: { width: 118, overflow: 'truncate' } },
    series: [
      { type: 'bar', name: '本期', data: rows.map((r) => r.n), barMaxWidth: 16 },
      { type: 'bar', name: '上期', data: rows.map((r) => r.previous), barMaxWidth: 16 },
    ],
  };
}
