/**
 * The official working-day calendar: Monday–Friday, minus public holidays, plus 调休 make-up workdays, from the
 * yearly overrides (calendar_day rows). Days are city days (Asia/Shanghai, UTC+8 all year).
 *
 * A deadline of N working days from T counts N working days starting the day after T; it is the end of that day
 * (23:59:59 +08:00). Hour deadlines run on the clock. A count that enters a year with no published calendar uses the
 * weekday rule there and is marked provisional.
 */
const CITY_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

export type DayOverride = { day: string; isWorkday: boolean; note?: string };
export type Deadline = { at: Date; provisional: boolean };
export type DeadlineRule = { amount: number; unit: 'working_days' | 'hours' };

/** 2026-02-13 for an instant, in the city's zone. */
export function cityDay(at: Date): string {
  return new Date(at.getTime() + CITY_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a city day ends: 2026-02-25 → 2026-02-25T23:59:59+08:00. */
export function endOfCityDay(day: string): Date {
  return new Date(`${day}T23:59:59+08:00`);
}

/** The instant a city day starts. */
export function startOfCityDay(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`);
}

function nextDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

/** ISO 8601 with the city's offset: 2026-02-25T23:59:59+08:00. */
export function formatCityTime(at: Date): string {
  return `${new Date(at.getTime() + CITY_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;
}

export class WorkCalendar {
  private readonly overrides: Map<string, boolean>;
  private readonly published: Set<number>;

  constructor(overrides: DayOverride[], publishedYears: number[]) {
    this.overrides = new Map(overrides.map((o) => [o.day, o.isWorkday]));
    this.published = new Set(publishedYears);
  }

  isPublished(year: number): boolean {
    return this.published.has(year);
  }

  isWorkday(day: string): boolean {
    const override = this.overrides.get(day);
    if (override !== undefined) return override;
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return weekday !== 0 && weekday !== 6;
  }

  /** The end of the Nth working day after the day of `from`. */
  addWorkingDays(from: Date, days: number): Deadline {
    if (!Number.isInteger(days) || days < 1) throw new RangeError('工作日数必须是正整数');
    let day = cityDay(from);
    let provisional = false;
    for (let counted = 0; counted < days; ) {
      day = nextDay(day);
      if (!this.published.has(Number(day.slice(0, 4)))) provisional = true;
      if (this.isWorkday(day)) counted++;
    }
    return { at: endOfCityDay(day), provisional };
  }

  deadline(from: Date, rule: DeadlineRule): Deadline {
    if (rule.unit === 'hours') return { at: new Date(from.getTime() + rule.amount * 3_600_000), provisional: false };
    return this.addWorkingDays(from, rule.amount);
  }

  /** Working days after the day of `from` up to and including the day of `to` (0 when the same day or earlier). */
  workingDaysBetween(from: Date, to: Date): number {
    const last = cityDay(to);
    let day = cityDay(from);
    let n = 0;
    while (day < last) {
      day = nextDay(day);
      if (this.isWorkday(day)) n++;
    }
    return n;
  }
}
