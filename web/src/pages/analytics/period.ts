import dayjs, { type Dayjs } from 'dayjs';

/** Reporting periods as the API writes them: a month (2026-10), a quarter (2026-Q3) or a year (2026). */
export type Granularity = 'month' | 'quarter' | 'year';

/** What a period picker holds: this month so far (the default), a whole month/quarter/year, or a range of days. */
export type PeriodChoice = { kind: 'current' } | { kind: Granularity; at: Dayjs } | { kind: 'custom'; from: Dayjs; to: Dayjs };

export function periodOf(d: Dayjs, g: Granularity): string {
  if (g === 'year') return d.format('YYYY');
  if (g === 'quarter') return `${d.format('YYYY')}-Q${Math.floor(d.month() / 3) + 1}`;
  return d.format('YYYY-MM');
}

/** The query of /api/analytics/*: nothing for this month so far, ?period, or ?from&to. */
export function periodQuery(c: PeriodChoice): Record<string, string> {
  if (c.kind === 'current') return {};
  if (c.kind === 'custom') return { from: c.from.format('YYYY-MM-DD'), to: c.to.format('YYYY-MM-DD') };
  return { period: periodOf(c.at, c.kind) };
}

/** 2026-10-01 至 2026-10-31, or one day. */
export const rangeText = (r: { from: string; to: string }) => (r.from === r.to ? r.from : `${r.from} 至 ${r.to}`);

/** The choice a page's address holds (?period=2026-Q3, ?from=…&to=…), the inverse of periodQuery; this month by default. */
export function choiceFromQuery(q: URLSearchParams): PeriodChoice {
  const period = q.get('period') ?? '';
  let m: RegExpMatchArray | null;
  if ((m = period.match(/^(\d{4})$/))) return { kind: 'year', at: dayjs(`${m[1]}-01-01`) };
  if ((m = period.match(/^(\d{4})-Q([1-4])$/))) return { kind: 'quarter', at: dayjs(`${m[1]}-01-01`).month((Number(m[2]) - 1) * 3) };
  if ((m = period.match(/^(\d{4})-(0[1-9]|1[0-2])$/))) return { kind: 'month', at: dayjs(`${m[1]}-${m[2]}-01`) };
  const day = (s: string | null) => (s && /^\d{4}-\d{2}-\d{2}$/.test(s) && dayjs(s).isValid() ? dayjs(s) : null);
  const from = day(q.get('from'));
  const to = day(q.get('to'));
  if (from && to && !to.isBefore(from)) return { kind: 'custom', from, to };
  return { kind: 'current' };
}
