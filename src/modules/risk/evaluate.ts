import type { RiskSignalKind } from '../../db/types.ts';
import { countSurgeSignal, describeSignal, levelOf, rateSignal, seasonFromRest, volumeSignal, type DailyCount, type Level, type Signal } from './signals.ts';

/**
 * The rules evaluated on data loaded once for a span of days: one day for the hourly detection, every day of a year
 * for a backtest or the benchmark. Pure: no database here.
 */

export type Rule = { id: number; code: string; name: string; signal: RiskSignalKind; params: Record<string, unknown>; active: boolean };
export type UnitDay = { dispatched: number; overdue: number; rated: number; unsatisfied: number; redone: number; closed: number };

export type RiskData = {
  from: string;
  to: string;
  /** the first day the city has any problem: history before it is not zero, it is unknown */
  dataStart: string;
  /** domain|district → daily problems; district → daily problems with a misconduct flag */
  domainSeries: Map<string, { domain: string; region: string; days: DailyCount[] }>;
  flaggedSeries: Map<string, { region: string; days: DailyCount[] }>;
  targets: Map<string, { text: string; domain: string | null; region: string | null; days: Map<string, { n: number; ids: number[] }> }>;
  units: Map<number, { name: string; days: Map<string, UnitDay> }>;
  /** lost 复议/诉讼 cases per unit and day decided, and the first day any case was recorded (null: none yet) */
  lostCases: Map<number, { name: string; days: Map<string, { n: number; caseNos: string[] }> }>;
  casesStart: string | null;
  /** units with any case recorded in the last four years: the family the lost-cases rule tests */
  caseUnits: number;
};

export type Names = { region: (code: string) => string; domain: (code: string) => string; isWorkday: (day: string) => boolean };

/** One scope's signal for one rule on one day; `level` null when it crossed no threshold. */
export type Evaluated = {
  ruleId: number; ruleCode: string; signalKind: RiskSignalKind; level: Level | null; scopeKind: 'domain_region' | 'target' | 'unit'; scopeKey: string;
  /** the region's, target's or unit's name */
  scopeName: string;
  domain: string | null; region: string | null; unitId: number | null; targetKey: string | null; title: string; startedOn: string; signal: Signal;
  evidence: Record<string, unknown>;
};

const DAY_MS = 86_400_000;
/** The number of scopes the level thresholds are calibrated for (signals.ts: about 200 series checked daily). */
const FAMILY = 200;
export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
export const num = (params: Record<string, unknown>, key: string, fallback: number) => {
  const v = params[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
};

/** The longest history any rule looks back, so that loading from asOf − this covers every rule. */
export function lookback(rules: Rule[]): number {
  // lost cases are loaded on their own, over four years (they are few)
  return Math.max(90, ...rules.filter((r) => r.signal !== 'lost_cases').map((r) => num(r.params, 'windowDays', 30) + Math.max(num(r.params, 'baselineDays', 0), num(r.params, 'historyDays', 0))));
}

function sumDays<T>(days: Map<string, T>, from: string, to: string, pick: (x: T) => number): number {
  let s = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) {
    const x = days.get(d);
    if (x) s += pick(x);
  }
  return s;
}

type DayCounts = Map<string, number>;
type CityTotals = { all: DayCounts; byDomain: Map<string, DayCounts>; byRegion: Map<string, DayCounts> };
const totalsCache = new WeakMap<RiskData, CityTotals>();

/** The city's daily problems in all, per domain and per district (from the domain series), computed once per data. */
function cityTotals(data: RiskData): CityTotals {
  let t = totalsCache.get(data);
  if (t) return t;
  t = { all: new Map(), byDomain: new Map(), byRegion: new Map() };
  const add = (m: DayCounts, day: string, n: number) => m.set(day, (m.get(day) ?? 0) + n);
  const of = (m: Map<string, DayCounts>, key: string) => m.get(key) ?? m.set(key, new Map()).get(key)!;
  for (const s of data.domainSeries.values()) {
    for (const { day, n } of s.days) {
      add(t.all, day, n);
      add(of(t.byDomain, s.domain), day, n);
      add(of(t.byRegion, s.region), day, n);
    }
  }
  totalsCache.set(data, t);
  return t;
}

/**
 * The season for a domain × district series: the rest of the city outside both its domain and its district (so
 * that neither a domain-wide nor a district-wide surge explains itself away); for a district's misconduct series,
 * the city's problems outside that district.
 */
function seasonFor(data: RiskData, domain: string | null, region: string, own: DailyCount[], from: string, asOf: string, isWorkday: (d: string) => boolean) {
  const t = cityTotals(data);
  const ownDays = new Map(own.map((x) => [x.day, x.n]));
  const region_ = t.byRegion.get(region);
  const rest = domain
    ? (day: string) => (t.all.get(day) ?? 0) - (t.byDomain.get(domain)?.get(day) ?? 0) - (region_?.get(day) ?? 0) + (ownDays.get(day) ?? 0)
    : (day: string) => (t.all.get(day) ?? 0) - (region_?.get(day) ?? 0);
  return seasonFromRest(rest, from, asOf, { isWorkday });
}

/** Every scope's signal for one rule as of the end of `asOf`. */
export function evaluateRule(data: RiskData, rule: Rule, asOf: string, names: Names): Evaluated[] {
  const p = rule.params;
  const out: Evaluated[] = [];
  const base = { ruleId: rule.id, ruleCode: rule.code, signalKind: rule.signal };
  if (rule.signal === 'volume' || rule.signal === 'misconduct') {
    const window = num(p, 'windowDays', 3);
    const baseline = num(p, 'baselineDays', 56);
    const from = addDays(asOf, -(window + baseline - 1));
    const series = rule.signal === 'volume' ? [...data.domainSeries] : [...data.flaggedSeries].map(([k, s]) => [k, { ...s, domain: null }] as const);
    for (const [key, s] of series) {
      // days before the city's first data are unknown, not quiet
      const start = [from, data.from, data.dataStart].reduce((a, b) => (a > b ? a : b));
      const seasonFactor = seasonFor(data, s.domain, s.region, s.days, start, asOf, names.isWorkday);
      const signal = volumeSignal(s.days, { window, baselineDays: baseline, asOf, from: start, isWorkday: names.isWorkday, seasonFactor });
      const level = signal.observed >= num(p, 'minCount', 5) ? levelOf(signal.pValue, signal.ratio) : null;
      const what = rule.signal === 'volume' ? `${names.domain(s.domain!)}领域反映量` : '执法作风问题';
      out.push({
        ...base, level, scopeKind: 'domain_region', scopeKey: key, scopeName: names.region(s.region), domain: s.domain, region: s.region, unitId: null, targetKey: null,
        title: `${names.region(s.region)}${what}异常上升：${describeSignal(signal, `近${window}天`)}`, startedOn: addDays(asOf, -(window - 1)), signal,
        // four weeks before the window (observed only) and the window with what was expected, for the chart
        evidence: { series: [...s.days.filter((x) => x.day >= addDays(asOf, -(window + 27)) && x.day < addDays(asOf, -(window - 1))).map((x) => ({ day: x.day, observed: x.n, expected: null })), ...signal.days], observed: signal.observed, expected: signal.expected, ratio: signal.ratio, z: signal.z, pValue: signal.pValue, method: signal.method },
      });
    }
  } else if (rule.signal === 'target') {
    const window = num(p, 'windowDays', 14);
    const windowStart = addDays(asOf, -(window - 1));
    // history only as far back as the city's data goes
    const history = Math.max(1, Math.min(num(p, 'historyDays', 180), Math.round((Date.parse(windowStart) - Date.parse(data.dataStart)) / DAY_MS)));
    // thousands of shops are watched at once: the p-value is scaled to a family of FAMILY scopes, like the other rules'
    const watched = [...data.targets.values()].filter((t) => [...t.days.keys()].some((d) => d >= addDays(windowStart, -history) && d <= asOf)).length;
    const family = Math.max(1, watched / FAMILY);
    for (const [key, t] of data.targets) {
      const recent = sumDays(t.days, windowStart, asOf, (x) => x.n);
      if (recent < num(p, 'minCount', 4)) continue;
      const before = sumDays(t.days, addDays(windowStart, -history), addDays(windowStart, -1), (x) => x.n);
      const raw = countSurgeSignal({ recent, recentDays: window, history: before, historyDays: history });
      const signal = { ...raw, pValue: Math.min(1, raw.pValue * family) };
      let first = asOf;
      const ids: number[] = [];
      for (let d = windowStart; d <= asOf; d = addDays(d, 1)) {
        const x = t.days.get(d);
        if (!x) continue;
        if (d < first) first = d;
        ids.push(...x.ids);
      }
      out.push({
        ...base, level: levelOf(signal.pValue, signal.ratio), scopeKind: 'target', scopeKey: key, scopeName: t.text, domain: t.domain, region: t.region, unitId: null, targetKey: key,
        title: `${t.text}近${window}天被投诉 ${recent} 次（此前 ${history} 天 ${before} 次）`, startedOn: first, signal,
        evidence: { recent, history: before, historyDays: history, ratio: signal.ratio, pValue: signal.pValue, rawPValue: raw.pValue, watchedTargets: watched, problemIds: ids.slice(0, 20), target: t.text },
      });
    }
  } else if (rule.signal === 'lost_cases') {
    const window = num(p, 'windowDays', 90);
    const windowStart = addDays(asOf, -(window - 1));
    // history only since cases were first recorded: before that it is unknown, not clean
    const history = data.casesStart ? Math.max(0, Math.min(num(p, 'baselineDays', 365), Math.round((Date.parse(windowStart) - Date.parse(data.casesStart)) / DAY_MS))) : 0;
    for (const [unitId, u] of data.lostCases) {
      const recent = sumDays(u.days, windowStart, asOf, (x) => x.n);
      if (recent < num(p, 'minCount', 2)) continue;
      const before = history ? sumDays(u.days, addDays(windowStart, -history), addDays(windowStart, -1), (x) => x.n) : 0;
      const raw = countSurgeSignal({ recent, recentDays: window, history: before, historyDays: Math.max(history, 1) }, { floorPerDay: num(p, 'expectedPerYear', 1) / 365 });
      // the levels are calibrated for about FAMILY scopes tested daily; only the units with case records are tested here
      const signal = { ...raw, pValue: Math.min(1, raw.pValue * Math.max(1, data.caseUnits) / FAMILY) };
      const caseNos: string[] = [];
      for (let d = windowStart; d <= asOf; d = addDays(d, 1)) caseNos.push(...(u.days.get(d)?.caseNos ?? []));
      out.push({
        ...base, level: levelOf(signal.pValue, signal.ratio), scopeKind: 'unit', scopeKey: String(unitId), scopeName: u.name, domain: null, region: null, unitId, targetKey: null,
        title: `${u.name}近${window}天复议诉讼败诉 ${recent} 件（此前 ${history} 天 ${before} 件）`, startedOn: windowStart, signal,
        evidence: { recent, history: before, historyDays: history, ratio: signal.ratio, pValue: signal.pValue, rawPValue: raw.pValue, unitsWithCases: data.caseUnits, caseNos: caseNos.slice(0, 20) },
      });
    }
  } else {
    const window = num(p, 'windowDays', 30);
    const baseline = num(p, 'baselineDays', 180);
    const windowStart = addDays(asOf, -(window - 1));
    const baselineStart = addDays(windowStart, -baseline);
    for (const [unitId, u] of data.units) {
      const sum = (from: string, to: string) => {
        const s: UnitDay = { dispatched: 0, overdue: 0, rated: 0, unsatisfied: 0, redone: 0, closed: 0 };
        for (const k of Object.keys(s) as (keyof UnitDay)[]) s[k] = sumDays(u.days, from, to, (x) => x[k]);
        return s;
      };
      const recent = sum(windowStart, asOf);
      const before = sum(baselineStart, addDays(windowStart, -1));
      let signal: Signal;
      let what: string;
      if (rule.signal === 'redo') {
        if (recent.redone < num(p, 'minCount', 3)) continue;
        signal = countSurgeSignal({ recent: recent.redone, recentDays: window, history: before.redone, historyDays: baseline });
        what = `重办 ${recent.redone} 次`;
      } else {
        const overdue = rule.signal === 'overdue_rate';
        const [events, trials, baseEvents, baseTrials] = overdue ? [recent.overdue, recent.dispatched, before.overdue, before.dispatched] : [recent.unsatisfied, recent.rated, before.unsatisfied, before.rated];
        if (trials < num(p, 'minTrials', 10)) continue;
        const r = rateSignal({ recentEvents: events, recentTrials: trials, baselineEvents: baseEvents, baselineTrials: baseTrials });
        signal = r;
        what = `${overdue ? '逾期率' : '不满意率'} ${(r.recentRate * 100).toFixed(0)}%（此前 ${(r.baselineRate * 100).toFixed(0)}%）`;
      }
      out.push({
        ...base, level: levelOf(signal.pValue, signal.ratio), scopeKind: 'unit', scopeKey: String(unitId), scopeName: u.name, domain: null, region: null, unitId, targetKey: null,
        title: `${u.name}近${window}天${what}`, startedOn: windowStart, signal, evidence: { recent, baseline: before, ratio: signal.ratio, pValue: signal.pValue },
      });
    }
  }
  return out;
}

export type BacktestWarning = { scopeKey: string; title: string; level: Level; startedOn: string; raisedOn: string; endedOn: string; days: number };

/**
 * A rule replayed day by day: a warning is raised the first day a scope crosses a level and stays one warning while
 * the signal keeps coming back within `coolingDays` (as a warning stays open until people close it).
 */
export function backtest(data: RiskData, rule: Rule, from: string, to: string, names: Names, coolingDays = 7): BacktestWarning[] {
  const open = new Map<string, BacktestWarning>();
  const done: BacktestWarning[] = [];
  const rank: Level[] = ['blue', 'yellow', 'orange', 'red'];
  for (let day = from; day <= to; day = addDays(day, 1)) {
    for (const e of evaluateRule(data, rule, day, names)) {
      if (!e.level) continue;
      const w = open.get(e.scopeKey);
      if (w) {
        w.endedOn = day;
        if (rank.indexOf(e.level) > rank.indexOf(w.level)) w.level = e.level;
      } else open.set(e.scopeKey, { scopeKey: e.scopeKey, title: e.title, level: e.level, startedOn: e.startedOn, raisedOn: day, endedOn: day, days: 0 });
    }
    for (const [key, w] of open) {
      if (addDays(w.endedOn, coolingDays) <= day) {
        done.push(w);
        open.delete(key);
      }
    }
  }
  done.push(...open.values());
  for (const w of done) w.days = Math.round((Date.parse(w.endedOn) - Date.parse(w.raisedOn)) / DAY_MS) + 1;
  return done.sort((a, b) => a.raisedOn.localeCompare(b.raisedOn) || a.scopeKey.localeCompare(b.scopeKey));
}
