import type { AppContext } from '../../context.ts';
import { cityDay } from '../../lib/calendar.ts';
import type { Actor } from '../auth/access.ts';
import type { ProblemsService } from '../problems/service.ts';
import { KPI_DEFINITIONS } from '../workorders/kpi.ts';
import { analyticsRepo, type CubeRow, type DayRange, type OrderCube, type RegionScope } from './repo.ts';

/** Days the dashboard brings up to date itself before answering; a bigger backlog is the refresh job's. */
const INLINE_REFRESH_DAYS = 62;
const DAY_MS = 86_400_000;

const rate = (n: number, d: number) => (d > 0 ? Math.round((n / d) * 10000) / 10000 : null);

/** 综合得分, with its formula shown beside it like every KPI. */
export const RANKING_DEFINITIONS = {
  ...KPI_DEFINITIONS,
  score: { name: '综合得分', formula: '按时签收率 × 20 + 按时办结率 × 40 + 满意率 × 40 − 重办率 × 20 − 超期数 ÷ 派发数 × 20（两项扣分各至多 20 分；无数据的指标按满分计，得分 0–100）' },
} as const;

export type UnitRank = OrderCube & {
  unit_name: string;
  /** Dispatched and signed or past the sign-for limit: the orders the 按时签收率 is over. */
  sign_due: number;
  sign_on_time_rate: number | null;
  close_on_time_rate: number | null;
  satisfaction_rate: number | null;
  redo_rate: number | null;
  score: number;
  rank: number;
};

export function rankUnits(rows: OrderCube[], unitNames: Map<number, string>): UnitRank[] {
  const scored = rows.map((r) => {
    const k = {
      sign_on_time_rate: rate(r.signed_on_time, r.dispatched - r.awaiting_sign),
      close_on_time_rate: rate(r.closed_on_time, r.closed),
      satisfaction_rate: rate(r.satisfied, r.rated),
      redo_rate: rate(r.redone, r.closed),
    };
    // orders gone overdue count against the unit whether or not any were closed (a unit that closes nothing is not perfect)
    const overdueShare = Math.min(1, r.overdue / Math.max(1, r.dispatched));
    const score = Math.max(0, (k.sign_on_time_rate ?? 1) * 20 + (k.close_on_time_rate ?? 1) * 40 + (k.satisfaction_rate ?? 1) * 40 - Math.min(1, k.redo_rate ?? 0) * 20 - overdueShare * 20);
    return { ...r, sign_due: r.dispatched - r.awaiting_sign, ...k, unit_name: unitNames.get(r.unit_id) ?? `单位 ${r.unit_id}`, score: Math.round(score * 10) / 10, rank: 0 };
  });
  scored.sort((a, b) => b.score - a.score || b.closed - a.closed || a.unit_name.localeCompare(b.unit_name, 'zh'));
  scored.forEach((r, i) => (r.rank = i > 0 && r.score === scored[i - 1]!.score ? scored[i - 1]!.rank : i + 1));
  return scored;
}

/** Days of a range, shifted: the same-length range before it, and the same days a year before. */
function shiftRange(range: DayRange, how: 'previous' | 'lastYear'): DayRange {
  const from = Date.parse(`${range.from}T00:00:00Z`);
  const to = Date.parse(`${range.to}T00:00:00Z`);
  if (how === 'previous') {
    const days = Math.round((to - from) / DAY_MS) + 1;
    return { from: new Date(from - days * DAY_MS).toISOString().slice(0, 10), to: new Date(from - DAY_MS).toISOString().slice(0, 10) };
  }
  const back = (d: string) => `${Number(d.slice(0, 4)) - 1}${d.slice(4) === '-02-29' ? '-02-28' : d.slice(4)}`;
  return { from: back(range.from), to: back(range.to) };
}

/** One dimension of the cube summed by a key of its rows (merged duplicates left out of the status totals). */
function group(cube: CubeRow[], dim: CubeRow['dim'], key: (r: CubeRow) => string | null = (r) => r.value) {
  const m = new Map<string | null, number>();
  for (const r of cube) if (r.dim === dim && !(dim === 'status' && r.value === 'merged')) m.set(key(r), (m.get(key(r)) ?? 0) + r.n);
  return m;
}
const total = (m: Map<string | null, number>) => [...m.values()].reduce((a, b) => a + b, 0);

export function createAnalyticsService(ctx: AppContext, problems: ProblemsService) {
  const { db } = ctx;

  const scopeOf = (actor: Actor): Promise<RegionScope> => problems.regionScope(actor, 'report.read');

  return {
    refresh: (maxDays?: number) => analyticsRepo.refresh(db, maxDays),

    /**
     * The city (or the reader's region) over a range of days: totals against the previous range and the same range a
     * year before, the trend, breakdowns, work-order rates, misconduct flags and the orders overdue or listed now.
     * `previous` and `lastYear` can be given (a report compares whole months, quarters and years).
     */
    async dashboard(actor: Actor, range: DayRange, compare: { previous?: DayRange; lastYear?: DayRange } = {}) {
      await analyticsRepo.refresh(db, INLINE_REFRESH_DAYS);
      const scope = await scopeOf(actor);
      const previous = compare.previous ?? shiftRange(range, 'previous');
      const lastYear = compare.lastYear ?? shiftRange(range, 'lastYear');
      const days = Math.round((Date.parse(range.to) - Date.parse(range.from)) / DAY_MS) + 1;
      const [cube, prevCube, yearCube, trend, orders, open, names] = await Promise.all([
        analyticsRepo.cube(db, range, scope),
        analyticsRepo.cube(db, previous, scope),
        analyticsRepo.cube(db, lastYear, scope),
        analyticsRepo.trend(db, range, scope, days <= 92 ? 'day' : 'month'),
        analyticsRepo.orders(db, range, scope),
        analyticsRepo.openFlags(db, scope),
        analyticsRepo.names(db),
      ]);
      const nameOf = (list: { code: string; name: string }[]) => new Map(list.map((x) => [x.code, x.name]));
      const channelNames = nameOf(names.channels);
      const domainNames = nameOf(names.domains);
      const kindNames = nameOf(names.kinds);
      const regions = new Map(names.regions.map((r) => [r.code, r]));
      // townships count under their district or county
      const districtOf = (code: string | null) => {
        let r = code ? regions.get(code) : undefined;
        while (r && r.level === 'township' && r.parent_code) r = regions.get(r.parent_code);
        return r?.code ?? null;
      };
      const breakdown = (m: Map<string | null, number>, label: (code: string | null) => string) =>
        [...m].map(([code, n]) => ({ code, name: label(code), n })).sort((a, b) => b.n - a.n);
      const domainLabel = (c: string | null) => (c ? domainNames.get(c) ?? c : '未分类');
      const orderTotals = orders.reduce(
        (t, o) => {
          for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += o[k];
          return t;
        },
        { dispatched: 0, signed_on_time: 0, awaiting_sign: 0, closed: 0, closed_on_time: 0, rated: 0, satisfied: 0, unsatisfied: 0, redone: 0, overdue: 0 },
      );
      const statuses = group(cube, 'status');
      return {
        range, previous, lastYear,
        totals: {
          problems: total(statuses),
          previous: total(group(prevCube, 'status')),
          lastYear: total(group(yearCube, 'status')),
          misconduct: total(group(cube, 'flagged')),
          redirected: statuses.get('redirected') ?? 0,
          ...orderTotals,
          sign_due: orderTotals.dispatched - orderTotals.awaiting_sign,
          sign_on_time_rate: rate(orderTotals.signed_on_time, orderTotals.dispatched - orderTotals.awaiting_sign),
          close_on_time_rate: rate(orderTotals.closed_on_time, orderTotals.closed),
          satisfaction_rate: rate(orderTotals.satisfied, orderTotals.rated),
          redo_rate: rate(orderTotals.redone, orderTotals.closed),
          open,
        },
        trend: { unit: days <= 92 ? ('day' as const) : ('month' as const), points: trend },
        byChannel: breakdown(group(cube, 'channel'), (c) => channelNames.get(c!) ?? c!),
        byDomain: breakdown(group(cube, 'domain'), domainLabel),
        byKind: breakdown(group(cube, 'kind'), (c) => (c ? kindNames.get(c) ?? c : '未识别')),
        byRegion: breakdown(group(cube, 'status', (r) => districtOf(r.region_code)), (c) => (c ? regions.get(c)?.name ?? c : '未识别区域')),
        byStatus: breakdown(statuses, (c) => c!),
        previousByDomain: breakdown(group(prevCube, 'domain'), domainLabel),
        misconduct: [...group(cube, 'misconduct')].map(([category, n]) => ({ category: category!, n })).sort((a, b) => b.n - a.n || a.category.localeCompare(b.category, 'zh')),
        units: rankUnits(orders, new Map(names.units.map((u) => [u.id, u.name]))),
        definitions: RANKING_DEFINITIONS,
      };
    },

    /** 考核评议: each unit's KPIs over the range, ranked by the composite score, with every formula. */
    async unitRanking(actor: Actor, range: DayRange) {
      await analyticsRepo.refresh(db, INLINE_REFRESH_DAYS);
      const [orders, names] = await Promise.all([analyticsRepo.orders(db, range, await scopeOf(actor)), analyticsRepo.names(db)]);
      return { range, definitions: RANKING_DEFINITIONS, units: rankUnits(orders, new Map(names.units.map((u) => [u.id, u.name]))) };
    },

    async misconductExamples(actor: Actor, range: DayRange, limit: number) {
      return analyticsRepo.misconductExamples(db, range, await scopeOf(actor), limit);
    },

    /** This month up to today, the dashboard's default. */
    defaultRange(now = new Date()): DayRange {
      const today = cityDay(now);
      return { from: `${today.slice(0, 7)}-01`, to: today };
    },
  };
}

export type AnalyticsService = ReturnType<typeof createAnalyticsService>;
