/** Reporting periods: a month (2026-10), a quarter (2026-Q3) or a year (2026), in city days. */

export type PeriodKind = 'month' | 'quarter' | 'year';
export type Period = {
  code: string;
  kind: PeriodKind;
  /** 2026年10月, 2026年第三季度, 2026年 */
  label: string;
  /** first and last city day, inclusive */
  firstDay: string;
  lastDay: string;
  /** the same as instants: [start, end) */
  start: Date;
  end: Date;
};

export const PERIOD_PATTERN = /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/;
const QUARTERS = ['一', '二', '三', '四'];

const pad = (n: number) => String(n).padStart(2, '0');
/** Month m (1-based, may overflow) of year y as its first day. */
const firstOfMonth = (y: number, m: number) => `${y + Math.floor((m - 1) / 12)}-${pad(((((m - 1) % 12) + 12) % 12) + 1)}-01`;
const dayBefore = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

function build(kind: PeriodKind, year: number, index: number): Period {
  const month = kind === 'month' ? index : kind === 'quarter' ? (index - 1) * 3 + 1 : 1;
  const months = kind === 'month' ? 1 : kind === 'quarter' ? 3 : 12;
  const firstDay = firstOfMonth(year, month);
  const next = firstOfMonth(year, month + months);
  return {
    code: kind === 'month' ? `${year}-${pad(index)}` : kind === 'quarter' ? `${year}-Q${index}` : `${year}`,
    kind,
    label: kind === 'month' ? `${year}年${index}月` : kind === 'quarter' ? `${year}年第${QUARTERS[index - 1]}季度` : `${year}年`,
    firstDay,
    lastDay: dayBefore(next),
    start: new Date(`${firstDay}T00:00:00+08:00`),
    end: new Date(`${next}T00:00:00+08:00`),
  };
}

export function parsePeriod(code: string): Period | null {
  const m = /^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$/.exec(code);
  if (!m) return null;
  const year = Number(m[1]);
  if (m[2]) return build('month', year, Number(m[2]));
  if (m[3]) return build('quarter', year, Number(m[3]));
  return build('year', year, 1);
}

const indexOf = (p: Period) => (p.kind === 'year' ? 1 : Number(p.code.slice(p.kind === 'quarter' ? 6 : 5)));

/** The period just before (环比). */
export function previousPeriod(p: Period): Period {
  const year = Number(p.code.slice(0, 4));
  const i = indexOf(p);
  if (p.kind === 'year') return build('year', year - 1, 1);
  const last = p.kind === 'month' ? 12 : 4;
  return i === 1 ? build(p.kind, year - 1, last) : build(p.kind, year, i - 1);
}

/** The same period a year earlier (同比). */
export function samePeriodLastYear(p: Period): Period {
  return build(p.kind, Number(p.code.slice(0, 4)) - 1, indexOf(p));
}

/** The month before the one containing this city day: the monthly report due on the first working day. */
export function monthBefore(day: string): Period {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return m === 1 ? build('month', y - 1, 12) : build('month', y, m - 1);
}
