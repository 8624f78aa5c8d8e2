/**
 * 风险信号 (risk signals): pure statistics behind 风险预警. No database, no dependencies.
 *
 * Which function serves which signal of the issue:
 * - volume of a domain × region against its own history (weekday, holidays, season) → volumeSignal
 * - repeated complaints about one target (N in M days, against its own past)        → countSurgeSignal + repeatedTarget
 * - misconduct flags and 重办 (redo) counts of a unit                                 → countSurgeSignal
 * - a unit's overdue / 不满意 rate climbing against its own baseline                    → rateSignal
 * Every signal carries observed, expected, ratio, z and a one-sided p-value (P of seeing this many or more by
 * chance); levelOf turns (p, ratio) into 蓝/黄/橙/红, riskScore adds normalized signals into a 0–100 score.
 *
 * Days are city days written 'YYYY-MM-DD'.
 */

// ───────────────────────────── distribution tails ─────────────────────────────

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITER = 200_000;

/** lnΓ(x) - Stirling's main terms, for x ≥ 10 (error < 1e-15). */
function stirlingCorrection(x: number): number {
  const x2 = x * x;
  return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * x2)) / x2) / x2) / x2) / x;
}

/** ln Γ(x) for x > 0, via Stirling's series (shifted up to x ≥ 10 when smaller). */
export function lnGamma(x: number): number {
  if (!(x > 0)) return x === 0 ? Infinity : NaN;
  let shift = 0;
  while (x < 10) {
    shift += Math.log(x);
    x += 1;
  }
  return (x - 0.5) * Math.log(x) - x + LN_SQRT_2PI + stirlingCorrection(x) - shift;
}

/** ln(x^a e^-x / Γ(a)), computed without cancellation for large a (a ≈ x ≈ 10^5 keeps full precision). */
function lnGammaPrefix(a: number, x: number): number {
  if (a >= 10) {
    const t = (x - a) / a;
    return -a * (t - Math.log1p(t)) + 0.5 * Math.log(a) - LN_SQRT_2PI - stirlingCorrection(a);
  }
  return a * Math.log(x) - x - lnGamma(a);
}

/**
 * Regularized incomplete gamma P(a, x) and Q(a, x) = 1 - P. The smaller of the two is computed directly (series
 * below x = a + 1, continued fraction above), so small tails keep their relative precision.
 */
function incompleteGamma(a: number, x: number): { p: number; q: number } {
  if (x <= 0) return { p: 0, q: 1 };
  if (!Number.isFinite(x)) return { p: 1, q: 0 };
  const prefix = Math.exp(lnGammaPrefix(a, x));
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_ITER; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * EPS) break;
    }
    const p = Math.min(1, prefix * sum);
    return { p, q: 1 - p };
  }
  // Lentz's continued fraction for Q (Numerical Recipes, gcf).
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  const q = Math.min(1, prefix * h);
  return { p: 1 - q, q };
}

/** Continued fraction of the incomplete beta function (Numerical Recipes, betacf). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b); the small side is computed directly. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return Math.min(1, (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a);
  return Math.max(0, 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b);
}

/** P(X ≥ k) for X ~ Poisson(lambda). Stable for lambda and k up to 10^5 and beyond (no factorials). */
export function poissonUpperTail(k: number, lambda: number): number {
  k = Math.ceil(k);
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  return incompleteGamma(k, lambda).p;
}

/** P(X ≤ k) for X ~ Poisson(lambda). */
export function poissonLowerTail(k: number, lambda: number): number {
  k = Math.floor(k);
  if (k < 0) return 0;
  if (lambda <= 0) return 1;
  return incompleteGamma(k + 1, lambda).q;
}

/** P(X ≥ k) for X ~ Binomial(n, p). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  k = Math.ceil(k);
  if (k <= 0) return 1;
  if (k > n || p <= 0) return 0;
  if (p >= 1) return 1;
  return incompleteBeta(p, k, n - k + 1);
}

/**
 * P(X ≥ k) for a negative binomial X with the given mean and dispersion = variance ÷ mean (1 = Poisson).
 * With this parameterization a sum of days with a common dispersion is again negative binomial, so a window of
 * several days is tested with the window's total mean.
 */
export function negBinomialUpperTail(k: number, mean: number, dispersion: number): number {
  k = Math.ceil(k);
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  if (!(dispersion > 1 + 1e-9)) return poissonUpperTail(k, mean);
  const size = mean / (dispersion - 1);
  return incompleteBeta(1 - 1 / dispersion, k, size);
}

/** P(X ≤ k) for the negative binomial of negBinomialUpperTail. */
export function negBinomialLowerTail(k: number, mean: number, dispersion: number): number {
  k = Math.floor(k);
  if (k < 0) return 0;
  if (mean <= 0) return 1;
  if (!(dispersion > 1 + 1e-9)) return poissonLowerTail(k, mean);
  const size = mean / (dispersion - 1);
  return incompleteBeta(1 / dispersion, size, k + 1);
}

/**
 * P(X ≥ k) for X ~ BetaBinomial(n, alpha, beta): k events in n trials when the rate itself is only known as
 * Beta(alpha, beta). Summed term by term from k (each term from the previous by a ratio), so n up to 10^5 is fine.
 */
export function betaBinomialUpperTail(k: number, n: number, alpha: number, beta: number): number {
  k = Math.ceil(k);
  if (k <= 0) return 1;
  if (k > n) return 0;
  const lnBeta = (a: number, b: number) => lnGamma(a) + lnGamma(b) - lnGamma(a + b);
  let term = Math.exp(lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1) + lnBeta(k + alpha, n - k + beta) - lnBeta(alpha, beta));
  let sum = term;
  for (let j = k; j < n; j++) {
    term *= ((n - j) / (j + 1)) * ((j + alpha) / (n - j - 1 + beta));
    sum += term;
    if (term < sum * EPS && j > (n * alpha) / (alpha + beta)) break;
  }
  return Math.min(1, sum);
}

// ───────────────────────────── shared shapes ─────────────────────────────

/** What every signal shows a person: how many, how many expected, and how unlikely that is by chance. */
export type Signal = {
  observed: number;
  expected: number;
  /** observed ÷ expected */
  ratio: number;
  /** (observed - expected) ÷ standard deviation, after overdispersion */
  z: number;
  /** one-sided: P(this many or more | no change) */
  pValue: number;
  /** days of history the expectation rests on */
  baselineDays: number;
  /** variance ÷ mean used in the test (1 = Poisson) */
  overdispersion: number;
};

export type DailyCount = { day: string; n: number };

const DAY_MS = 86_400_000;
const dayNumber = (day: string) => {
  const t = Date.parse(`${day}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(t)) throw new RangeError(`日期格式应为 YYYY-MM-DD：${day}`);
  return Math.round(t / DAY_MS);
};
const dayString = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
const weekdayOf = (n: number) => (((n + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday (4)

// ───────────────────────────── volume against its own history ─────────────────────────────

/** Weekends at 55% of weekdays (the city's usual rhythm), Sunday..Saturday. */
export const DEFAULT_WEEKDAY_PROFILE: readonly number[] = [0.55, 1, 1, 1, 1, 1, 0.55];

export type VolumeOptions = {
  /** days at the end of the series that are tested (default 3) */
  window?: number;
  /** days of history before the window (default 56, 8 weeks) */
  baselineDays?: number;
  /** below this many history days the series is not judged (default 14) */
  minBaselineDays?: number;
  /** the last day of the window (default: the last day of the series) */
  asOf?: string;
  /** the first day the series covers, when it may start with empty days (default: its first day) */
  from?: string;
  /** working-day calendar; a non-working weekday counts like a weekend, a 调休 weekend day like a weekday (default Mon–Fri) */
  isWorkday?: (day: string) => boolean;
  /** relative seasonal level of a day (only ratios matter; default 1) */
  seasonFactor?: (day: string) => number;
  /** global weekday profile, Sunday..Saturday, that a small series is shrunk toward (default DEFAULT_WEEKDAY_PROFILE) */
  weekdayProfile?: readonly number[];
  /** weight of that profile, in reports (default 25: a weekday with 25 reports in the baseline is half its own, half global) */
  profileStrength?: number;
  /** floor of the expected count per window day, so a quiet series does not alarm on 2 reports (default 0.5) */
  minExpectedPerDay?: number;
};

export type VolumeSignal = Signal & {
  window: number;
  /** P(this few or fewer): a drop, e.g. an intake channel gone quiet. Levels use pValue only. */
  pValueLow: number;
  /** variance ÷ mean of the history around its fitted rhythm (method of moments, ≥ 1) */
  historyDispersion: number;
  /** 'negbin' when the test widened the Poisson for overdispersion or an uncertain baseline */
  method: 'poisson' | 'negbin';
  /** the expectation was raised to the floor */
  floored: boolean;
  /** too little history: pValue is 1 */
  insufficient: boolean;
  /** past days left out of the baseline as outliers (earlier surges), so they do not mask the next one */
  excludedDays: string[];
  /** the fitted weekday profile, Sunday..Saturday, mean 1 */
  profile: number[];
  days: { day: string; observed: number; expected: number }[];
};

/** A day's share of each weekday type: itself, or (holiday weekday) like Sat/Sun, or (调休 weekend) like Mon–Fri. */
const OFF_WEEKDAY_MIX = [0.5, 0, 0, 0, 0, 0, 0.5];
const WORKING_WEEKEND_MIX = [0, 0.2, 0.2, 0.2, 0.2, 0.2, 0];
const ONE_HOT = Array.from({ length: 7 }, (_, k) => Array.from({ length: 7 }, (_, j) => (j === k ? 1 : 0)));

type ModelDay = { day: string; n: number; season: number; mix: readonly number[] };

const defaultIsWorkday = (day: string) => {
  const wd = weekdayOf(dayNumber(day));
  return wd !== 0 && wd !== 6;
};

function modelDay(dayNo: number, n: number, isWorkday: (d: string) => boolean, season: (d: string) => number): ModelDay {
  const day = dayString(dayNo);
  const wd = weekdayOf(dayNo);
  const weekend = wd === 0 || wd === 6;
  const work = isWorkday(day);
  const mix = work === !weekend ? ONE_HOT[wd]! : work ? WORKING_WEEKEND_MIX : OFF_WEEKDAY_MIX;
  const s = season(day);
  if (!(s > 0) || !Number.isFinite(s)) throw new RangeError(`季节系数应为正数：${day} → ${s}`);
  return { day, n, season: s, mix };
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * Poisson model: a day's mean = season × (mix · r), r[k] the rate of weekday k. The overall level L is fitted with
 * the global profile g; each r[k] is the posterior mean under a Gamma(strength, strength / (g[k] L)) prior, so a
 * weekday with few reports stays near the global profile. Iterated only to share out days that mix weekdays.
 * Returns the rates, the level and the reports attributed to each weekday.
 */
function fitRhythm(days: ModelDay[], prior: readonly number[], strength: number) {
  const total = days.reduce((a, d) => a + d.n, 0);
  const priorExposure = days.reduce((a, d) => a + d.season * dot(d.mix, prior), 0);
  const level = priorExposure > 0 ? total / priorExposure : 0;
  const exposure = new Array<number>(7).fill(0);
  for (const d of days) for (let k = 0; k < 7; k++) exposure[k]! += d.season * d.mix[k]!;
  let r = prior.map((g) => g * level);
  let attributed = new Array<number>(7).fill(0);
  for (let it = 0; it < 100 && level > 0; it++) {
    attributed = new Array<number>(7).fill(0);
    for (const d of days) {
      const m = dot(d.mix, r);
      if (m > 0) for (let k = 0; k < 7; k++) if (d.mix[k]) attributed[k]! += (d.n * d.mix[k]! * r[k]!) / m;
    }
    const next = r.map((_, k) => (strength + attributed[k]!) / (strength / (prior[k]! * level) + exposure[k]!));
    const change = Math.max(...next.map((x, k) => Math.abs(x - r[k]!) / x));
    r = next;
    if (change < 1e-9) break;
  }
  return { level, r, attributed, mean: (d: ModelDay) => d.season * dot(d.mix, r) };
}

/**
 * Pearson χ² ÷ degrees of freedom, at least 1 (method of moments); 8 fitted parameters, at least half the days left.
 * `cap` limits each day's share (a robust first look, so that one surge does not hide itself by widening the test).
 */
function pearsonDispersion(days: ModelDay[], mean: (d: ModelDay) => number, cap = Infinity): number {
  let chi2 = 0;
  for (const d of days) {
    const mu = mean(d);
    if (mu > 0) chi2 += Math.min(cap, (d.n - mu) ** 2 / mu);
  }
  const df = Math.max(days.length - 8, Math.ceil(days.length / 2));
  return df > 0 ? Math.min(20, Math.max(1, chi2 / df)) : 1;
}

/**
 * Overdispersion from the median squared Pearson residual (χ²₁'s median is 0.455), at least 1: a surge in the
 * history does not widen it, so the surge's days stand out as outliers.
 */
function robustDispersion(days: ModelDay[], mean: (d: ModelDay) => number): number {
  const r2 = days.map((d) => {
    const mu = mean(d);
    return mu > 0 ? (d.n - mu) ** 2 / mu : 0;
  }).sort((a, b) => a - b);
  if (!r2.length) return 1;
  const mid = r2.length >> 1;
  const median = r2.length % 2 ? r2[mid]! : (r2[mid - 1]! + r2[mid]!) / 2;
  return Math.min(20, Math.max(1, median / 0.455));
}

/** Below this many reports a day, the rest of the city says too little about the season. */
export const MIN_REST_PER_DAY = 20;

/**
 * The season as the rest of the city sees it: each day's reports outside the series (another domain, another
 * district), divided by what the weekday and holidays alone would give, relative to the mean over [from, to]. A
 * series whose own share of the city is steady then expects the city's seasonal swings (January's low, the summer's
 * high, the week after 春节) and nothing more; a day's partial count on the rest matches the series' own partial day.
 * Undefined when the rest is too small (fewer than MIN_REST_PER_DAY a day): the series is then judged on its own.
 */
export function seasonFromRest(rest: (day: string) => number, from: string, to: string, opts: { isWorkday?: (day: string) => boolean; weekdayProfile?: readonly number[] } = {}): ((day: string) => number) | undefined {
  const isWorkday = opts.isWorkday ?? defaultIsWorkday;
  const profile = opts.weekdayProfile ?? DEFAULT_WEEKDAY_PROFILE;
  const first = dayNumber(from);
  const last = dayNumber(to);
  if (last < first) return undefined;
  const raw = new Map<string, number>();
  let total = 0;
  let sum = 0;
  for (let d = first; d <= last; d++) {
    const day = modelDay(d, rest(dayString(d)), isWorkday, () => 1);
    total += day.n;
    const level = Math.max(day.n, 0.5) / dot(day.mix, profile);
    raw.set(day.day, level);
    sum += level;
  }
  if (total / (last - first + 1) < MIN_REST_PER_DAY) return undefined;
  const mean = sum / raw.size;
  // a day with a gap in the data (a lost import) should not make the next day's series look like a surge
  return (day: string) => Math.min(5, Math.max(0.2, (raw.get(day) ?? mean) / mean));
}

/** A single past day this unlikely (given the first fit) is an outlier and left out of the baseline. */
const OUTLIER_P = 1e-3;
/** …unless more than this share of days would be left out: then the model, not the days, is off. */
const MAX_OUTLIER_SHARE = 0.25;

/**
 * The last `window` days of a daily count against the series' own history: expected = level × weekday factor ×
 * season, fitted on the `baselineDays` before the window; tested with Poisson, or negative binomial when the history
 * is overdispersed (variance also widened for the uncertainty of the fitted baseline). Missing days count as 0.
 */
export function volumeSignal(series: readonly DailyCount[], opts: VolumeOptions = {}): VolumeSignal {
  const window = opts.window ?? 3;
  const baselineDays = opts.baselineDays ?? 56;
  const minBaselineDays = opts.minBaselineDays ?? 14;
  const strength = opts.profileStrength ?? 25;
  const minPerDay = opts.minExpectedPerDay ?? 0.5;
  if (!Number.isInteger(window) || window < 1) throw new RangeError('窗口天数必须是正整数');
  if (!Number.isInteger(baselineDays) || baselineDays < 1) throw new RangeError('基线天数必须是正整数');
  const profile = opts.weekdayProfile ?? DEFAULT_WEEKDAY_PROFILE;
  if (profile.length !== 7 || profile.some((x) => !(x > 0))) throw new RangeError('星期分布应为周日至周六 7 个正数');
  const profileMean = profile.reduce((a, b) => a + b, 0) / 7;
  const prior = profile.map((x) => x / profileMean);
  const isWorkday = opts.isWorkday ?? defaultIsWorkday;
  const season = opts.seasonFactor ?? (() => 1);

  const counts = new Map<number, number>();
  for (const { day, n } of series) {
    if (!(n >= 0) || !Number.isFinite(n)) throw new RangeError(`计数应为非负数：${day} → ${n}`);
    const d = dayNumber(day);
    counts.set(d, (counts.get(d) ?? 0) + n);
  }
  if (!counts.size && !opts.asOf) throw new RangeError('序列为空，且未给出 asOf');
  const known = [...counts.keys()];
  const last = opts.asOf ? dayNumber(opts.asOf) : Math.max(...known);
  const first = opts.from ? dayNumber(opts.from) : known.length ? Math.min(...known) : last;
  const windowStart = last - window + 1;
  const make = (d: number) => modelDay(d, counts.get(d) ?? 0, isWorkday, season);

  const history: ModelDay[] = [];
  for (let d = Math.max(first, windowStart - baselineDays); d < windowStart; d++) history.push(make(d));
  const recent: ModelDay[] = [];
  for (let d = windowStart; d <= last; d++) recent.push(make(d));

  // Fit on all history, then leave out the most unlikely day (an earlier surge) and refit, one day at a time: a
  // surge's strongest days lift their weekday's rate and widen the first look enough to hide its other days.
  let fit = fitRhythm(history, prior, strength);
  let used = history;
  const outliers: ModelDay[] = [];
  while (outliers.length + 1 <= MAX_OUTLIER_SHARE * history.length) {
    const screenDispersion = robustDispersion(used, fit.mean);
    let worst: ModelDay | null = null;
    let worstP = OUTLIER_P;
    for (const d of used) {
      const mu = fit.mean(d);
      // cheap screen first: a day within 2 standard deviations is never that unlikely
      if (d.n <= mu + 2 * Math.sqrt(screenDispersion * mu)) continue;
      const p = negBinomialUpperTail(d.n, mu, screenDispersion);
      if (p < worstP) [worst, worstP] = [d, p];
    }
    if (!worst) break;
    outliers.push(worst);
    used = used.filter((d) => d !== worst);
    fit = fitRhythm(used, prior, strength);
  }
  outliers.sort((a, b) => a.day.localeCompare(b.day));
  const historyDispersion = pearsonDispersion(used, fit.mean);

  const days = recent.map((d) => ({ day: d.day, observed: d.n, expected: fit.mean(d) }));
  const observed = days.reduce((a, d) => a + d.observed, 0);
  const fitted = days.reduce((a, d) => a + d.expected, 0);

  // Uncertainty of the fitted baseline: each weekday factor rests on about (its reports + prior strength) reports.
  let relativeVariance = 0;
  if (fitted > 0) {
    for (let k = 0; k < 7; k++) {
      const share = recent.reduce((a, d) => a + d.season * d.mix[k]! * fit.r[k]!, 0) / fitted;
      relativeVariance += share ** 2 / (fit.attributed[k]! + strength);
    }
  }
  const dispersion = historyDispersion * (1 + fitted * relativeVariance);

  const floor = minPerDay * window;
  const expected = Math.max(fitted, floor);
  const insufficient = used.length < minBaselineDays;
  const pValue = insufficient ? 1 : negBinomialUpperTail(observed, expected, dispersion);
  const pValueLow = insufficient ? 1 : negBinomialLowerTail(observed, fitted, dispersion);
  const rateSum = fit.r.reduce((a, b) => a + b, 0);
  const profileOut = rateSum > 0 ? fit.r.map((x) => (7 * x) / rateSum) : [...prior];
  return {
    observed,
    expected,
    ratio: observed / expected,
    z: insufficient ? 0 : (observed - expected) / Math.sqrt(dispersion * expected),
    pValue,
    pValueLow,
    baselineDays: used.length,
    overdispersion: dispersion,
    historyDispersion,
    method: dispersion > 1 + 1e-9 ? 'negbin' : 'poisson',
    floored: fitted < floor,
    insufficient,
    excludedDays: outliers.map((d) => d.day),
    window,
    profile: profileOut,
    days,
  };
}

// ───────────────────────────── counts against their own past ─────────────────────────────

export type CountSurgeInput = {
  /** events in the recent window (complaints about a target, misconduct flags, 重办 of a unit …) */
  recent: number;
  recentDays: number;
  /** events in the history before the window */
  history: number;
  historyDays: number;
};

export type CountSurgeSignal = Signal & { floored: boolean };

/**
 * Recent count against the rate of its own history. A target never (or hardly ever) seen before is measured
 * against `floorPerDay` (default 1/30: one a month), so a first complaint or two is not a surge. The estimated rate
 * is uncertain when the history is short: the variance is widened by expected ÷ history count (negative binomial).
 */
export function countSurgeSignal(input: CountSurgeInput, opts: { floorPerDay?: number } = {}): CountSurgeSignal {
  const { recent, recentDays, history, historyDays } = input;
  const floorPerDay = opts.floorPerDay ?? 1 / 30;
  if (!(recentDays > 0)) throw new RangeError('近期天数必须为正');
  if (!(historyDays >= 0) || !(history >= 0) || !(recent >= 0)) throw new RangeError('计数和天数不能为负');
  if (!(floorPerDay > 0)) throw new RangeError('最低基线必须为正');
  const rate = historyDays > 0 ? history / historyDays : 0;
  const floored = rate < floorPerDay;
  const expected = Math.max(rate, floorPerDay) * recentDays;
  const overdispersion = floored ? 1 : 1 + expected / history;
  return {
    observed: recent,
    expected,
    ratio: recent / expected,
    z: (recent - expected) / Math.sqrt(overdispersion * expected),
    pValue: negBinomialUpperTail(recent, expected, overdispersion),
    baselineDays: historyDays,
    overdispersion,
    floored,
  };
}

/** 重复投诉 rule: the same target complained about at least `minCount` times in the window (default 3, the usual 口径). */
export function repeatedTarget(countInWindow: number, minCount = 3): boolean {
  return countInWindow >= minCount;
}

// ───────────────────────────── rates against their own baseline ─────────────────────────────

export type RateInput = {
  /** overdue (or 不满意) orders among the recent ones */
  recentEvents: number;
  recentTrials: number;
  baselineEvents: number;
  baselineTrials: number;
};

export type RateOptions = {
  /** the city-wide rate a unit with little history is pulled toward (default 0.1) */
  priorRate?: number;
  /** how many orders that prior is worth (default 10) */
  priorStrength?: number;
};

export type RateSignal = Signal & { recentRate: number; baselineRate: number };

/**
 * A unit's recent rate against its own baseline. The baseline rate is Beta(events + prior, non-events + prior):
 * smoothed toward `priorRate` when the unit has little history, and its uncertainty is kept — the p-value is the
 * beta-binomial upper tail of the recent events (the plain binomial tail once the baseline is long).
 */
export function rateSignal(input: RateInput, opts: RateOptions = {}): RateSignal {
  const { recentEvents: k, recentTrials: n, baselineEvents, baselineTrials } = input;
  const priorRate = opts.priorRate ?? 0.1;
  const strength = opts.priorStrength ?? 10;
  if (!(k >= 0 && n >= k && baselineEvents >= 0 && baselineTrials >= baselineEvents)) throw new RangeError('事件数不能为负，也不能多于总数');
  if (!(priorRate > 0 && priorRate < 1) || !(strength > 0)) throw new RangeError('先验比例应在 0 与 1 之间，强度为正');
  const alpha = baselineEvents + priorRate * strength;
  const beta = baselineTrials - baselineEvents + (1 - priorRate) * strength;
  const baselineRate = alpha / (alpha + beta);
  const expected = n * baselineRate;
  const variance = expected * (1 - baselineRate) * ((alpha + beta + n) / (alpha + beta + 1));
  return {
    observed: k,
    expected,
    ratio: n > 0 ? k / expected : 0,
    z: variance > 0 ? (k - expected) / Math.sqrt(variance) : 0,
    pValue: betaBinomialUpperTail(k, n, alpha, beta),
    baselineDays: 0,
    overdispersion: n > 0 ? (alpha + beta + n) / (alpha + beta + 1) : 1,
    recentRate: n > 0 ? k / n : 0,
    baselineRate,
  };
}

// ───────────────────────────── levels ─────────────────────────────

export type Level = 'blue' | 'yellow' | 'orange' | 'red';
export const LEVELS: readonly Level[] = ['blue', 'yellow', 'orange', 'red'];
export const LEVEL_NAMES: Record<Level, string> = { blue: '蓝色预警', yellow: '黄色预警', orange: '橙色预警', red: '红色预警' };

/** A level needs both: p at most `pValue` and observed ÷ expected at least `ratio`. */
export type LevelThresholds = Record<Level, { pValue: number; ratio: number }>;

/**
 * Defaults for a family of ~200 series (≈90 domain × region, ~60 units, targets) each checked once a day.
 * Budget: ~2 false 蓝色 a month city-wide → per series per day α = 2 / (30 × 200) ≈ 3e-4 (Bonferroni). Each level
 * above is ~30–100× rarer by chance: 黄 1e-5 (under one false 黄 a year), 橙 1e-7 and 红 1e-9 (never in practice).
 * The tests are conservative besides (discrete counts, overdispersion and baseline uncertainty widen them): on
 * simulated null series 蓝 fired at ~1e-4 per check, i.e. ~0.5 a month for 200 series.
 * The ratio keeps a huge series from alarming on a small, merely "significant" rise (蓝 needs +50%), and grades
 * severity: 黄 2×, 橙 3×, 红 5×.
 */
export const DEFAULT_THRESHOLDS: LevelThresholds = {
  blue: { pValue: 3e-4, ratio: 1.5 },
  yellow: { pValue: 1e-5, ratio: 2 },
  orange: { pValue: 1e-7, ratio: 3 },
  red: { pValue: 1e-9, ratio: 5 },
};

/** The highest level whose p-value and ratio thresholds are both met, or null. */
export function levelOf(pValue: number, ratio: number, thresholds: LevelThresholds = DEFAULT_THRESHOLDS): Level | null {
  let level: Level | null = null;
  for (const l of LEVELS) if (pValue <= thresholds[l].pValue && ratio >= thresholds[l].ratio) level = l;
  return level;
}

// ───────────────────────────── risk score ─────────────────────────────

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : x > 0 ? 1 : 0);

/** p-value → 0–1: -log10(p) / 6, capped at 1 (p = 1e-6 or smaller counts fully; p = 0.01 counts 1/3). */
export const normalizeP = (p: number) => clamp01(-Math.log10(Math.max(p, 1e-300)) / 6);
/** rate (overdue share, 不满意 share …) → 0–1: as is. */
export const normalizeRate = (rate: number) => clamp01(rate);
/** observed ÷ expected → 0–1: log2(ratio) / 3 (1× → 0, 2× → 1/3, 8× or more → 1). */
export const normalizeRatio = (ratio: number) => clamp01(Math.log2(Math.max(ratio, 1e-300)) / 3);
/** count → 0–1: count ÷ cap, capped at 1. */
export const normalizeCount = (count: number, cap: number) => clamp01(count / cap);

export type Contribution = { key: string; value: number; weight: number };
export type RiskScore = { score: number; contributions: (Contribution & { points: number })[] };

/**
 * Weighted mean of normalized values on a 0–100 scale. points = 100 × weight × value ÷ Σ weights, and the score is
 * the sum of the points, so every point can be traced to one signal. Values outside 0–1 are clamped.
 */
export function riskScore(contributions: readonly Contribution[]): RiskScore {
  for (const c of contributions) if (!(c.weight >= 0) || !Number.isFinite(c.weight)) throw new RangeError(`权重必须是非负数：${c.key}`);
  const totalWeight = contributions.reduce((a, c) => a + c.weight, 0);
  const rows = contributions.map((c) => {
    const value = clamp01(c.value);
    return { key: c.key, value, weight: c.weight, points: totalWeight > 0 ? (100 * c.weight * value) / totalWeight : 0 };
  });
  return { score: Math.min(100, rows.reduce((a, r) => a + r.points, 0)), contributions: rows };
}

// ───────────────────────────── wording ─────────────────────────────

/** p-value for a person: 0.0032, 2.1e-5, <1e-12. */
export function formatP(p: number): string {
  if (p < 1e-12) return '<1e-12';
  if (p >= 0.001) return p.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
  return p.toExponential(1);
}

/** One line of evidence, e.g. 「近3天 27 件，预期 10.8 件（2.5 倍，z=4.9，p=2.1e-5）」. */
export function describeSignal(s: Signal, what = '近期'): string {
  const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
  return `${what} ${fmt(s.observed)} 件，预期 ${fmt(s.expected)} 件（${s.ratio.toFixed(1)} 倍，z=${s.z.toFixed(1)}，p=${formatP(s.pValue)}）`;
}
