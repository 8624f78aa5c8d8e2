import { mulberry32 } from '../../lib/random.ts';

/**
 * Seeded daily series for testing and calibrating the risk signals: Poisson counts with the city's rhythm
 * (weekends ~55% of weekdays, holidays low, summer +25%, Jan–Feb −15%), optional day-to-day noise and injected surges.
 */

/** Poisson draw (Knuth's product method, in chunks of λ ≤ 30 so that e^-λ never underflows). */
export function poissonSample(rnd: () => number, lambda: number): number {
  let n = 0;
  for (let rest = lambda; rest > 0; rest -= 30) {
    const limit = Math.exp(-Math.min(rest, 30));
    let p = rnd();
    while (p > limit) {
      n++;
      p *= rnd();
    }
  }
  return n;
}

const DAY_MS = 86_400_000;

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: string): number {
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

/** Summer (Jun–Aug) +25%, January–February −15%, otherwise 1. */
export function citySeason(day: string): number {
  const month = Number(day.slice(5, 7));
  return month >= 6 && month <= 8 ? 1.25 : month <= 2 ? 0.85 : 1;
}

/** A calendar from holiday and 调休 sets: Mon–Fri, minus `offDays`, plus `onDays`. */
export function workdayRule(offDays: ReadonlySet<string> = new Set(), onDays: ReadonlySet<string> = new Set()) {
  return (day: string) => onDays.has(day) || (!offDays.has(day) && weekdayOf(day) !== 0 && weekdayOf(day) !== 6);
}

export type SeriesOptions = {
  start: string;
  days: number;
  /** mean reports on an ordinary weekday */
  perDay: number;
  seed: number;
  /** weekend (and holiday) level relative to a weekday (default 0.55) */
  weekendFactor?: number;
  /** extra factor on non-working weekdays (default 1: like a weekend) */
  holidayFactor?: number;
  isWorkday?: (day: string) => boolean;
  season?: (day: string) => number;
  /** day-to-day multiplicative noise, uniform in 1 ± noise (default 0: plain Poisson) */
  noise?: number;
  /** surges: from `start`, `days` long, the mean multiplied by `factor` */
  spikes?: { start: string; days: number; factor: number }[];
};

export type SimulatedDay = { day: string; n: number; mean: number };

export function simulateSeries(o: SeriesOptions): SimulatedDay[] {
  const rnd = mulberry32(o.seed);
  const isWorkday = o.isWorkday ?? workdayRule();
  const out: SimulatedDay[] = [];
  for (let i = 0; i < o.days; i++) {
    const day = addDays(o.start, i);
    const wd = weekdayOf(day);
    const work = isWorkday(day);
    let mean = o.perDay * (work ? 1 : (o.weekendFactor ?? 0.55) * (wd !== 0 && wd !== 6 ? (o.holidayFactor ?? 1) : 1));
    mean *= o.season ? o.season(day) : 1;
    if (o.noise) mean *= 1 - o.noise + 2 * o.noise * rnd();
    for (const s of o.spikes ?? []) if (day >= s.start && day < addDays(s.start, s.days)) mean *= s.factor;
    out.push({ day, n: poissonSample(rnd, mean), mean });
  }
  return out;
}
