import type { ChartOption } from '../analytics/Chart.tsx';
import { LEVEL } from './labels.ts';
import { scoreFill } from './parts.tsx';
import type { RegionRisk, VolumeEvidence } from './types.ts';

/** The risk pages' charts as ECharts options. */

const shortDay = (day: string) => day.slice(5);
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The city's districts as a treemap: colour by risk score, area by open warnings (every district at least one cell). */
export function regionTreemap(regions: RegionRisk[]): ChartOption {
  const byName = new Map(regions.map((r) => [r.name, r]));
  return {
    tooltip: {
      formatter: (p: any) => {
        const r = byName.get(p.name);
        if (!r) return esc(String(p.name ?? ''));
        const levels = (['red', 'orange', 'yellow', 'blue'] as const).filter((l) => r.levels?.[l]).map((l) => `${LEVEL[l].text} ${r.levels[l]}`).join('，');
        return `<b>${esc(r.name)}</b><br/>风险评分 ${r.score.toFixed(1)}<br/>在办预警 ${r.open} 条${levels ? `（${levels}）` : ''}<br/><span style="color:#999">点击查看该区域的预警</span>`;
      },
    },
    series: [{
      type: 'treemap',
      name: '区域风险',
      roam: false,
      nodeClick: false,
      breadcrumb: { show: false },
      left: 0, right: 0, top: 0, bottom: 0,
      itemStyle: { borderColor: '#fff', borderWidth: 3, gapWidth: 3 },
      label: {
        show: true,
        color: '#262626',
        fontSize: 14,
        formatter: (p: any) => {
          const r = byName.get(p.name);
          return r ? `{name|${r.name}}\n${r.score.toFixed(1)} 分\n预警 ${r.open} 条` : String(p.name);
        },
        rich: { name: { fontSize: 16, fontWeight: 'bold', lineHeight: 24 } },
      },
      data: regions.map((r) => ({ name: r.name, value: 1 + r.open, itemStyle: { color: scoreFill(r.score) } })),
    }],
  };
}

/**
 * 实际 against 预期 day by day, the warning's window shaded: the days from `windowFrom` on (the whole series when it
 * holds the window only).
 */
export function evidenceOption(series: VolumeEvidence['series'], windowFrom: string | null): ChartOption {
  const days = series.map((d) => shortDay(d.day));
  const first = series.findIndex((d) => windowFrom && d.day >= windowFrom);
  const from = first >= 0 ? first : 0;
  return {
    color: ['#b7312c', '#8c8c8c'],
    tooltip: { trigger: 'axis', valueFormatter: (v: any) => (typeof v === 'number' ? `${Number.isInteger(v) ? v : v.toFixed(1)} 件` : String(v)) },
    legend: { top: 0, right: 0 },
    grid: { left: 44, right: 16, top: 44, bottom: 28 },
    xAxis: { type: 'category', data: days, boundaryGap: series.length <= 7 },
    yAxis: { type: 'value', minInterval: 1, name: '件', nameGap: 8 },
    series: [
      {
        type: 'line', name: '实际', data: series.map((d) => d.observed), symbolSize: 8, label: { show: series.length <= 14, position: 'top' },
        markArea: series.length
          ? { silent: true, itemStyle: { color: 'rgba(207, 19, 34, 0.08)' }, label: { color: '#cf1322', position: 'insideBottom' }, data: [[{ name: '预警窗口', xAxis: days[from] }, { xAxis: days[days.length - 1] }]] }
          : undefined,
      },
      { type: 'line', name: '预期（按自身历史）', data: series.map((d) => Math.round(d.expected * 10) / 10), lineStyle: { type: 'dashed' }, symbolSize: 6 },
    ],
  };
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Every day from the first to the last, 0 where the series has none. */
export function fillDays(points: { day: string; n: number }[]): { day: string; n: number }[] {
  if (!points.length) return [];
  const counts = new Map(points.map((p) => [p.day, p.n]));
  const days = [...counts.keys()].sort();
  const out: { day: string; n: number }[] = [];
  for (let d = days[0]!; d <= days[days.length - 1]! && out.length < 1000; d = nextDay(d)) out.push({ day: d, n: counts.get(d) ?? 0 });
  return out;
}

/** Daily reports of a domain (missing days as 0). */
export function dailyTrendOption(series: { day: string; n: number }[]): ChartOption {
  const points = fillDays(series);
  return {
    color: ['#b7312c'],
    tooltip: { trigger: 'axis', valueFormatter: (v: any) => `${v} 件` },
    grid: { left: 40, right: 16, top: 16, bottom: 28 },
    xAxis: { type: 'category', data: points.map((p) => shortDay(p.day)), boundaryGap: false },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'line', name: '反映问题', data: points.map((p) => p.n), showSymbol: points.length <= 62, symbolSize: 5, areaStyle: { opacity: 0.08 } }],
  };
}

/** Warnings a rule would have raised, month by month. */
export function perMonthOption(perMonth: { month: string; n: number }[]): ChartOption {
  return {
    color: ['#b7312c'],
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: any) => `${v} 条` },
    grid: { left: 40, right: 16, top: 24, bottom: 28 },
    xAxis: { type: 'category', data: perMonth.map((m) => m.month) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: '预警', data: perMonth.map((m) => m.n), barMaxWidth: 28, label: { show: true, position: 'top' } }],
  };
}
