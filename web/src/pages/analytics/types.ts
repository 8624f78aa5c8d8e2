/** The answers of /api/analytics/*. */

export type DayRange = { from: string; to: string };
export type Breakdown = { code: string | null; name: string; n: number }[];
export type Definition = { name: string; formula: string };

export type UnitRank = {
  unit_id: number; unit_name: string; dispatched: number; signed_on_time: number; sign_due: number; closed: number; closed_on_time: number; rated: number; satisfied: number;
  unsatisfied: number; redone: number; overdue: number; sign_on_time_rate: number | null; close_on_time_rate: number | null; satisfaction_rate: number | null;
  redo_rate: number | null; score: number; rank: number;
};

export type RankingDefinitions = Record<'sign_on_time_rate' | 'close_on_time_rate' | 'satisfaction_rate' | 'redo_rate' | 'overdue_count' | 'score', Definition>;

export type Dashboard = {
  range: DayRange;
  previous: DayRange;
  lastYear: DayRange;
  totals: {
    problems: number; previous: number; lastYear: number; misconduct: number; redirected: number; dispatched: number; signed_on_time: number; closed: number;
    closed_on_time: number; rated: number; satisfied: number; unsatisfied: number; redone: number; overdue: number;
    sign_on_time_rate: number | null; close_on_time_rate: number | null; satisfaction_rate: number | null; redo_rate: number | null;
    open: { overdue: number; listed: number; escalated: number };
  };
  trend: { unit: 'day' | 'month'; points: { bucket: string; n: number }[] };
  byChannel: Breakdown;
  byDomain: Breakdown;
  byKind: Breakdown;
  byRegion: Breakdown;
  byStatus: Breakdown;
  previousByDomain: Breakdown;
  misconduct: { category: string; n: number }[];
  units: UnitRank[];
  definitions: RankingDefinitions;
};

export type Ranking = { range: DayRange; definitions: RankingDefinitions; units: UnitRank[] };

export const percent = (r: number | null | undefined, digits = 1) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(digits)}%`);
