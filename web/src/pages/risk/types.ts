/** The shapes of the 风险预警 API (/api/risk/…). Days are city days written 'YYYY-MM-DD'. */

export type Level = 'blue' | 'yellow' | 'orange' | 'red';
export type WarningState = 'new' | 'assessed' | 'dispatched' | 'resolved' | 'dismissed';
export type StepName = 'assess' | 'dispatch' | 'resolve' | 'dismiss';
export type ScopeKind = 'domain_region' | 'target' | 'unit';

export type WarningRow = {
  id: number; rule_code: string; level: Level; scope_kind: ScopeKind; title: string; score: number; state: WarningState;
  started_on: string; raised_on: string; last_seen_on: string;
  unit_id: number | null; unit_name: string | null; domain_code: string | null; domain_name: string | null;
  region_code: string | null; region_name: string | null; work_order_id: number | null;
};
export type WarningList = { rows: WarningRow[]; total: number };

/** 反映量 (volume, misconduct): the window's days against their expectation. */
export type VolumeEvidence = {
  series: { day: string; observed: number; expected: number }[];
  observed: number; expected: number; ratio: number; z: number; pValue: number; method: 'poisson' | 'negbin' | string;
};
/** 被反复投诉对象: the complaints of the window against the target's own past. */
export type TargetEvidence = { recent: number; history: number; ratio: number; pValue: number; problemIds: number[]; target: string };
/** 单位 (overdue, 不满意, 重办): the unit's figures of the window and of the baseline before it. */
export type UnitFigures = { dispatched: number; overdue: number; rated: number; unsatisfied: number; redone: number; closed: number };
export type UnitEvidence = { recent: Partial<UnitFigures>; baseline: Partial<UnitFigures>; ratio: number; pValue: number };

export type WarningEvent = { id?: number; kind: string; from_state: WarningState | null; to_state: WarningState | null; actor_label: string; note: string; at: string };

export type WarningDetail = WarningRow & {
  evidence: Record<string, unknown>;
  version: number;
  closing_reason: string | null;
  problem_id: number | null;
  target_key?: string | null;
  events: WarningEvent[];
};

export type RiskRule = {
  id: number; code: string; name: string; signal: string; params: Record<string, unknown>; active: boolean; version: number; note: string; created_at: string;
  replaced_by?: number | null; created_by?: number | null;
};

export type BacktestWarning = { scope_key: string; title: string; level: Level; started_on: string; raised_on?: string; ended_on: string; days: number };
export type Backtest = {
  rule: Partial<RiskRule> & { code?: string };
  from: string; to: string;
  warnings: BacktestWarning[];
  perMonth: { month: string; n: number }[];
};

export type Contribution = { key: string; value: number; weight: number; points: number };

export type RegionRisk = { code: string; name: string; score: number; open: number; levels: Partial<Record<Level, number>> };
export type DomainRisk = { code: string; name: string; score: number; contributions: Contribution[]; open: number };
/** figures: the last 30 days' work orders the score is computed from */
export type UnitRisk = { unit_id: number; unit_name: string; score: number; contributions: Contribution[]; figures: { dispatched: number; overdue: number; rated: number; unsatisfied: number; redone: number } };
export type Overview = { asOf: string; openTotal: number; openWithoutRegion: number; regions: RegionRisk[]; domains: DomainRisk[]; units: UnitRisk[] };

export type Suggestion = { action: '专项整治' | '约谈' | '案卷抽查' | '持续关注' | string; reason: string };
export type DomainDetail = {
  code: string; name: string; score: number; contributions: Contribution[];
  trend: { day: string; n: number }[];
  topTargets: { target: string; n: number }[];
  topRegions: { code: string; name: string; n: number; ratio: number }[];
  topUnits: { unit_id: number; unit_name: string; overdue_rate: number | null; unsatisfied_rate: number | null; n: number }[];
  phrases: { label: string; terms: string[]; count: number }[];
  warnings: WarningRow[];
  summary: { rising: string[]; causes: string[]; suggestions: Suggestion[] };
};
