import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DEFAULT_THRESHOLDS,
  betaBinomialUpperTail,
  binomialUpperTail,
  countSurgeSignal,
  describeSignal,
  formatP,
  LEVEL_NAMES,
  levelOf,
  lnGamma,
  negBinomialLowerTail,
  negBinomialUpperTail,
  normalizeCount,
  normalizeP,
  normalizeRate,
  normalizeRatio,
  poissonLowerTail,
  poissonUpperTail,
  rateSignal,
  seasonFromRest,
  repeatedTarget,
  riskScore,
  volumeSignal,
  type DailyCount,
} from './signals.ts';
import { mulberry32 } from '../../lib/random.ts';
import { addDays, citySeason, simulateSeries, weekdayOf, workdayRule } from './series.ts';

const close = (actual: number, expected: number, rel = 1e-9, what = '') =>
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what} ${actual} ≠ ${expected} (rel ${rel})`);

/** P(X ≥ k) for Poisson(λ) from pmf ratios around the mode, normalized: no gamma function, no factorials. */
function poissonTailByRatios(k: number, lambda: number): number {
  const mode = Math.floor(lambda);
  const span = 40 * Math.sqrt(lambda) + 60;
  let total = 1;
  let upper = mode >= k ? 1 : 0;
  for (let j = mode, w = 1; j < lambda + span; j++) {
    w *= lambda / (j + 1);
    total += w;
    if (j + 1 >= k) upper += w;
  }
  for (let j = mode, w = 1; j > 0 && j > lambda - span; j--) {
    w *= j / lambda;
    total += w;
    if (j - 1 >= k) upper += w;
  }
  return upper / total;
}

/** C(n, k) p^k (1-p)^(n-k), exactly enough for small n. */
function binomialPmf(k: number, n: number, p: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c * p ** k * (1 - p) ** (n - k);
}

const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));

describe('distribution tails', () => {
  test('Poisson: known values and edges', () => {
    close(poissonUpperTail(20, 10), 0.003454342, 1e-6, 'P(X≥20|10)');
    let direct = 0;
    for (let j = 0; j < 20; j++) direct += (Math.exp(-10) * 10 ** j) / factorial(j);
    close(poissonUpperTail(20, 10), 1 - direct, 1e-9);
    close(poissonUpperTail(1, 2), 1 - Math.exp(-2), 1e-12);
    close(poissonLowerTail(0, 3), Math.exp(-3), 1e-12);
    assert.equal(poissonUpperTail(0, 5), 1);
    assert.equal(poissonUpperTail(-3, 5), 1);
    assert.equal(poissonUpperTail(1, 0), 0);
    close(poissonUpperTail(3, 2) + poissonLowerTail(2, 2), 1, 1e-14);
  });

  test('Poisson: stable for λ and k up to 10^5, tiny tails keep their relative precision', () => {
    for (const [k, lambda] of [[100_000, 100_000], [101_000, 100_000], [99_000, 100_000], [20_000, 19_000], [200, 50], [120, 100]] as const) {
      close(poissonUpperTail(k, lambda), poissonTailByRatios(k, lambda), 1e-8, `P(X≥${k}|${lambda})`);
    }
    // far out in both directions: finite, no NaN, right side
    const far = poissonUpperTail(100_000, 10_000);
    assert.ok(far >= 0 && far < 1e-300, String(far));
    assert.equal(poissonUpperTail(10_000, 100_000), 1);
    assert.ok(poissonLowerTail(99_000, 100_000) < 0.001 && poissonLowerTail(99_000, 100_000) > 0.0007);
    // adjacent tails differ by the pmf: P(X≥k) - P(X≥k+1) = e^-λ λ^k / k!
    const k = 100_123;
    const lambda = 100_000;
    const pmf = Math.exp(k * Math.log(lambda) - lambda - lnGamma(k + 1));
    close(poissonUpperTail(k, lambda) - poissonUpperTail(k + 1, lambda), pmf, 1e-6);
  });

  test('lnGamma matches factorials', () => {
    for (const n of [1, 2, 5, 10, 20, 50]) assert.ok(Math.abs(lnGamma(n + 1) - Math.log(factorial(n))) < 1e-13, `ln ${n}!`);
    close(lnGamma(0.5), 0.5 * Math.log(Math.PI), 1e-13);
  });

  test('binomial: exact small-n values, edges, large n', () => {
    const exact = (k: number, n: number, p: number) => {
      let s = 0;
      for (let j = k; j <= n; j++) s += binomialPmf(j, n, p);
      return s;
    };
    close(binomialUpperTail(5, 10, 0.3), 0.1502683326, 1e-9);
    for (const [k, n, p] of [[5, 10, 0.3], [12, 30, 0.1], [1, 4, 0.5], [4, 4, 0.5], [3, 20, 0.02], [15, 20, 0.9]] as const) close(binomialUpperTail(k, n, p), exact(k, n, p), 1e-10, `Bin(${n},${p})≥${k}`);
    close(binomialUpperTail(4, 4, 0.5), 1 / 16, 1e-13);
    assert.equal(binomialUpperTail(0, 10, 0.3), 1);
    assert.equal(binomialUpperTail(11, 10, 0.3), 0);
    assert.equal(binomialUpperTail(3, 10, 0), 0);
    assert.equal(binomialUpperTail(3, 10, 1), 1);
    // n = 10^5: mean 50 000, sd 158; 500 above is 3.16 sd
    const big = binomialUpperTail(50_500, 100_000, 0.5);
    assert.ok(big > 7e-4 && big < 9e-4, String(big));
    assert.ok(Number.isFinite(binomialUpperTail(90_000, 100_000, 0.5)));
  });

  test('negative binomial: exact values for an integer size, mean and variance, Poisson limit', () => {
    // mean 6, dispersion 3 → size 3, success probability 1/3
    const pmf = (j: number) => ((factorial(j + 2) / (factorial(j) * 2)) * (1 / 3) ** 3 * (2 / 3) ** j);
    let below = 0;
    for (let j = 0; j < 10; j++) below += pmf(j);
    close(negBinomialUpperTail(10, 6, 3), 1 - below, 1e-10);
    close(negBinomialLowerTail(9, 6, 3), below, 1e-10);
    // Σ_{k≥1} P(X≥k) = mean, Σ (2k-1) P(X≥k) = E[X²] → variance = dispersion × mean
    let mean = 0;
    let second = 0;
    for (let k = 1; k < 2000; k++) {
      const t = negBinomialUpperTail(k, 7.5, 2.2);
      mean += t;
      second += (2 * k - 1) * t;
    }
    close(mean, 7.5, 1e-8, 'mean');
    close(second - mean ** 2, 2.2 * 7.5, 1e-7, 'variance');
    assert.equal(negBinomialUpperTail(10, 3, 1), poissonUpperTail(10, 3));
    close(negBinomialUpperTail(10, 3, 1.000001), poissonUpperTail(10, 3), 1e-4);
    assert.ok(negBinomialUpperTail(10, 3, 2) > poissonUpperTail(10, 3) * 5, 'overdispersion widens the tail');
  });

  test('beta-binomial: exact small values, binomial limit', () => {
    // n = 5, α = 2, β = 3: pmf(k) = C(5,k) B(k+2, 8-k) / B(2,3), B(a,b) = (a-1)!(b-1)!/(a+b-1)!
    const B = (a: number, b: number) => (factorial(a - 1) * factorial(b - 1)) / factorial(a + b - 1);
    const pmf = (k: number) => (factorial(5) / (factorial(k) * factorial(5 - k))) * (B(k + 2, 8 - k) / B(2, 3));
    close(betaBinomialUpperTail(3, 5, 2, 3), pmf(3) + pmf(4) + pmf(5), 1e-12);
    close(betaBinomialUpperTail(0, 5, 2, 3), 1, 1e-12);
    close(betaBinomialUpperTail(12, 30, 1e7, 9e7), binomialUpperTail(12, 30, 0.1), 1e-4);
  });
});

/** Weekday 10, weekend 5 (or per the calendar), for n days up to asOf. */
function flatSeries(days: number, end: string, weekday = 10, weekend = 5, isWorkday = workdayRule()): DailyCount[] {
  return Array.from({ length: days }, (_, i) => {
    const day = addDays(end, i - days + 1);
    return { day, n: isWorkday(day) ? weekday : weekend };
  });
}

describe('volumeSignal', () => {
  // 2026-11-25 is a Wednesday
  test('a flat weekday/weekend series raises no signal', () => {
    const s = volumeSignal(flatSeries(70, '2026-11-25'));
    assert.equal(s.observed, 30);
    close(s.expected, 30, 0.01, 'expected (shrunk a little toward the global 55% weekend)');
    assert.ok(s.pValue > 0.4 && s.pValueLow > 0.4);
    assert.equal(levelOf(s.pValue, s.ratio), null);
    assert.equal(s.baselineDays, 56);
    assert.equal(s.window, 3);
    close(s.profile[6]! / s.profile[3]!, 0.5, 0.05, 'Saturday ÷ Wednesday');
  });

  test('a doubled last 3 days does', () => {
    const series = flatSeries(70, '2026-11-25').map((d, i, all) => (i >= all.length - 3 ? { ...d, n: d.n * 2 } : d));
    const s = volumeSignal(series);
    assert.equal(s.observed, 60);
    close(s.ratio, 2, 0.01);
    assert.ok(s.pValue < 1e-5 && s.z > 4, `${s.pValue} ${s.z}`);
    assert.equal(levelOf(s.pValue, s.ratio), 'yellow');
    assert.match(describeSignal(s, '近3天'), /^近3天 60 件，预期 \d+\.\d 件（2\.0 倍，z=\d+\.\d，p=\d\.\de-\d+）$/);
  });

  test('a weekend dip is not a drop, and a Monday is not a spike', () => {
    // Mondays carry 1.5× the other weekdays (the weekend's reports catch up); 2026-11-22 is a Sunday
    const monday = (d: DailyCount) => (weekdayOf(d.day) === 1 ? { ...d, n: 15 } : d);
    const series = flatSeries(70, '2026-11-23').map(monday);
    const weekend = volumeSignal(series, { asOf: '2026-11-22', window: 2 });
    assert.equal(weekend.observed, 10);
    assert.ok(weekend.pValueLow > 0.3 && weekend.pValue > 0.3 && Math.abs(weekend.z) < 0.5, JSON.stringify(weekend));
    for (const window of [1, 3]) {
      // the series' own Mondays count (shrunk a little toward the default profile); with a city profile that knows
      // about Mondays the expectation is spot on
      const own = volumeSignal(series, { asOf: '2026-11-23', window });
      assert.ok(own.ratio < 1.1 && own.pValue > 0.05, `Monday, window ${window}: ${JSON.stringify(own)}`);
      assert.equal(levelOf(own.pValue, own.ratio), null);
      const city = volumeSignal(series, { asOf: '2026-11-23', window, weekdayProfile: [5, 15, 10, 10, 10, 10, 5] });
      close(city.ratio, 1, 0.005, `Monday, window ${window}, city profile`);
    }
    // …while a real drop is seen as one: weekdays at 20%
    const dropped = flatSeries(70, '2026-11-25').map((d, i, all) => (i >= all.length - 3 ? { ...d, n: 2 } : d));
    assert.ok(volumeSignal(dropped).pValueLow < 1e-6);
  });

  test('a holiday-shifted week does not alarm (国庆 2026: 10-01..10-07 off, 09-27 Sun and 10-10 Sat worked)', () => {
    const offDays = new Set(Array.from({ length: 7 }, (_, i) => addDays('2026-10-01', i)));
    const isWorkday = workdayRule(offDays, new Set(['2026-09-27', '2026-10-10']));
    const series = flatSeries(100, '2026-11-08', 80, 44, isWorkday);
    for (let day = '2026-09-25'; day <= '2026-10-20'; day = addDays(day, 1)) {
      for (const window of [1, 3]) {
        const s = volumeSignal(series, { asOf: day, window, isWorkday });
        assert.ok(s.pValue > 0.1 && s.pValueLow > 0.1, `${day} window ${window}: ${JSON.stringify(s)}`);
      }
    }
    // without the calendar, the worked Sunday would have looked like a spike
    const naive = volumeSignal(series, { asOf: '2026-09-27', window: 1 });
    assert.equal(levelOf(naive.pValue, naive.ratio), 'blue');
    // and on simulated series with that calendar, nothing fires from September to November
    for (let seed = 1; seed <= 20; seed++) {
      const sim = simulateSeries({ start: '2026-07-01', days: 150, perDay: 3 + seed * 2, seed, isWorkday, holidayFactor: 0.8, season: citySeason });
      for (let i = 70; i < 150; i++) {
        const s = volumeSignal(sim.slice(0, i + 1), { isWorkday, seasonFactor: citySeason });
        assert.equal(levelOf(s.pValue, s.ratio), null, `seed ${seed} ${sim[i]!.day}: ${JSON.stringify(s)}`);
      }
    }
  });

  test('a quiet series does not alarm on 2 reports; missing days count as 0', () => {
    const series: DailyCount[] = [
      { day: '2026-09-03', n: 1 },
      { day: '2026-10-14', n: 1 },
      { day: '2026-11-24', n: 1 },
      { day: '2026-11-25', n: 1 },
    ];
    const s = volumeSignal(series, { from: '2026-09-01' });
    assert.equal(s.observed, 2);
    assert.equal(s.floored, true);
    assert.equal(s.expected, 1.5);
    assert.ok(s.pValue > 0.4, String(s.pValue));
    assert.equal(s.baselineDays, 56);
    // it takes about 8 reports in 3 days for a series that is usually silent
    const eight = volumeSignal([...series, { day: '2026-11-23', n: 6 }], { from: '2026-09-01' });
    assert.equal(eight.observed, 8);
    assert.equal(levelOf(eight.pValue, eight.ratio), 'blue');
  });

  test('too little history is not judged', () => {
    const s = volumeSignal(flatSeries(10, '2026-11-25').map((d) => ({ ...d, n: d.n * 5 })));
    assert.equal(s.insufficient, true);
    assert.equal(s.pValue, 1);
    assert.equal(s.baselineDays, 7);
  });

  test('an earlier surge is left out of the baseline and does not mask the next one', () => {
    const series = flatSeries(70, '2026-11-25').map((d) =>
      d.day >= '2026-10-20' && d.day <= '2026-10-22' ? { ...d, n: 40 } : d.day >= '2026-11-23' ? { ...d, n: 25 } : d,
    );
    const s = volumeSignal(series);
    assert.deepEqual(s.excludedDays, ['2026-10-20', '2026-10-21', '2026-10-22']);
    close(s.expected, 30, 0.01);
    assert.equal(s.historyDispersion, 1);
    assert.equal(levelOf(s.pValue, s.ratio), 'yellow');
  });

  test('the season factor keeps the summer rise from reading as a surge', () => {
    const sim = simulateSeries({ start: '2026-04-01', days: 64, perDay: 200, seed: 3, season: citySeason });
    const withSeason = volumeSignal(sim, { seasonFactor: citySeason });
    const without = volumeSignal(sim);
    assert.equal(sim.at(-1)!.day, '2026-06-03');
    close(withSeason.ratio, 1, 0.06, 'with season');
    close(without.ratio, 1.25, 0.06, 'without season');
    assert.equal(levelOf(withSeason.pValue, withSeason.ratio), null);
    assert.ok(withSeason.pValue > 0.01);
  });

  test('a long earlier surge is left out day by day, so the next surge still warns', () => {
    // six days of an earlier surge: its strongest days lift their weekdays' rates and would widen a first look
    const earlier: Record<string, number> = { '2026-10-10': 9, '2026-10-11': 14, '2026-10-12': 16, '2026-10-13': 17, '2026-10-14': 15, '2026-10-15': 9 };
    const series = simulateSeries({ start: '2026-09-16', days: 71, perDay: 4, seed: 21 }).map((d) =>
      earlier[d.day] !== undefined ? { ...d, n: earlier[d.day]! } : d.day >= '2026-11-23' ? { ...d, n: d.n + 10 } : d,
    );
    const s = volumeSignal(series);
    assert.deepEqual(s.excludedDays, ['2026-10-11', '2026-10-12', '2026-10-13', '2026-10-14']);
    assert.ok(s.historyDispersion < 1.6, String(s.historyDispersion));
    assert.notEqual(levelOf(s.pValue, s.ratio), null, `p=${s.pValue}`);
  });

  test('the season seen in the rest of the city: a steady share does not alarm when March comes after the Jan–Feb low', () => {
    const isWorkday = workdayRule();
    const start = '2026-01-05';
    const rest = simulateSeries({ start, days: 60, perDay: 300, seed: 31, isWorkday, season: citySeason });
    const own = simulateSeries({ start, days: 60, perDay: 30, seed: 32, isWorkday, season: citySeason });
    const last = own.at(-1)!.day;
    assert.equal(last, '2026-03-05');
    const restOf = new Map(rest.map((d) => [d.day, d.n]));
    const season = seasonFromRest((day) => restOf.get(day) ?? 0, start, last, { isWorkday });
    assert.ok(season, 'a city of 300 a day is large enough');
    close(season('2026-03-04') / season('2026-02-04'), 1 / 0.85, 0.12, 'March over February');
    const withSeason = volumeSignal(own, { isWorkday, seasonFactor: season });
    const without = volumeSignal(own, { isWorkday });
    close(withSeason.ratio, 1, 0.12, 'with the season');
    close(without.ratio, 1 / 0.85, 0.12, 'without');
    assert.ok(withSeason.ratio < without.ratio);
    // a quiet city says nothing about the season
    assert.equal(seasonFromRest(() => 5, start, last), undefined);
  });

  test('overdispersed history switches to the negative binomial', () => {
    const sim = simulateSeries({ start: '2026-08-01', days: 70, perDay: 40, seed: 9, noise: 0.4 });
    const s = volumeSignal(sim);
    assert.equal(s.method, 'negbin');
    assert.ok(s.historyDispersion > 2, String(s.historyDispersion));
    const plain = volumeSignal(simulateSeries({ start: '2026-08-01', days: 70, perDay: 40, seed: 9 }));
    assert.ok(plain.historyDispersion < 1.6, String(plain.historyDispersion));
  });

  test('calibration: 200 null series × 60 days fire 蓝色 at most a handful of times', (t) => {
    // sizes from 0.3 to 60 a day (log-uniform), Poisson with weekly rhythm and season, some with ±15% daily noise
    const rnd = mulberry32(20261126);
    let checks = 0;
    let alarms = 0;
    for (let i = 0; i < 200; i++) {
      const perDay = Math.exp(Math.log(0.3) + rnd() * Math.log(200));
      const start = addDays('2026-01-05', Math.floor(rnd() * 240));
      const sim = simulateSeries({ start, days: 116, perDay, seed: 100 + i, season: citySeason, noise: i % 2 ? 0.15 : 0 });
      for (let d = 56; d < 116; d++) {
        const s = volumeSignal(sim.slice(0, d + 1), { seasonFactor: citySeason });
        checks++;
        if (levelOf(s.pValue, s.ratio)) alarms++;
      }
    }
    // α = 3e-4 per check → at most 3.6 expected; 7 would be a clear excess (Poisson(3.6) ≥ 8 has p ≈ 0.03)
    assert.equal(checks, 12_000);
    t.diagnostic(`${alarms} alarms in ${checks} null checks`);
    assert.ok(alarms <= 7, `${alarms} false alarms in ${checks} checks`);
  });

  test('power: 2.5× surges lasting 3 days in series of ≥5 a day are found ≥90% of the time by their 3rd day', (t) => {
    const rnd = mulberry32(7);
    const trials = 200;
    let byDay2 = 0;
    let byDay3 = 0;
    for (let i = 0; i < trials; i++) {
      const perDay = 5 + rnd() * 25;
      const start = addDays('2026-01-05', Math.floor(rnd() * 240));
      const spike = { start: addDays(start, 70), days: 3, factor: 2.5 };
      const sim = simulateSeries({ start, days: 73, perDay, seed: 9000 + i, season: citySeason, spikes: [spike] });
      const hit = (days: number) => {
        const s = volumeSignal(sim.slice(0, days), { seasonFactor: citySeason });
        return levelOf(s.pValue, s.ratio) !== null;
      };
      if (hit(72)) byDay2++;
      if (hit(72) || hit(73)) byDay3++;
    }
    t.diagnostic(`found ${byDay2}/${trials} by the 2nd day, ${byDay3}/${trials} by the 3rd`);
    assert.ok(byDay3 / trials >= 0.9, `found ${byDay3}/${trials} by the 3rd day`);
    assert.ok(byDay2 / trials >= 0.6, `found ${byDay2}/${trials} by the 2nd day`);
  });

  test('bad input is refused in Chinese', () => {
    assert.throws(() => volumeSignal([]), /序列为空/);
    assert.throws(() => volumeSignal([{ day: '2026/11/25', n: 1 }]), /日期格式/);
    assert.throws(() => volumeSignal([{ day: '2026-11-25', n: -1 }]), /非负/);
    assert.throws(() => volumeSignal(flatSeries(30, '2026-11-25'), { weekdayProfile: [1, 1] }), /星期分布/);
  });
});

describe('countSurgeSignal and repeatedTarget', () => {
  test('a target with 6 complaints in 7 days after none raises a repeated-target signal', () => {
    const s = countSurgeSignal({ recent: 6, recentDays: 7, history: 0, historyDays: 90 });
    assert.equal(s.floored, true);
    close(s.expected, 7 / 30, 1e-12);
    assert.ok(s.pValue < 1e-6, String(s.pValue));
    assert.equal(levelOf(s.pValue, s.ratio), 'yellow');
    assert.equal(repeatedTarget(6, 3), true);
  });

  test('one or two complaints about a new target are no surge', () => {
    for (const recent of [1, 2, 3]) {
      const s = countSurgeSignal({ recent, recentDays: 7, history: 0, historyDays: 90 });
      assert.equal(levelOf(s.pValue, s.ratio), null, `${recent}`);
    }
    assert.equal(repeatedTarget(2), false);
    assert.equal(repeatedTarget(3), true);
  });

  test('a target complained about twice a week for months is measured against its own past', () => {
    const s = countSurgeSignal({ recent: 6, recentDays: 7, history: 26, historyDays: 90 });
    assert.equal(s.floored, false);
    close(s.expected, (26 / 90) * 7, 1e-12);
    assert.ok(s.overdispersion > 1 && s.pValue > 0.005, `${s.pValue}`);
    assert.equal(levelOf(s.pValue, s.ratio), null);
  });

  test('a unit with about one 重办 a month and then 8 in 30 days', () => {
    const s = countSurgeSignal({ recent: 8, recentDays: 30, history: 6, historyDays: 180 });
    assert.ok(s.pValue < 3e-4, String(s.pValue));
    assert.ok(levelOf(s.pValue, s.ratio) !== null);
  });
});

describe('rateSignal', () => {
  test('a unit whose overdue rate goes from 10% to 40% over 30 orders', () => {
    const s = rateSignal({ recentEvents: 12, recentTrials: 30, baselineEvents: 20, baselineTrials: 200 });
    assert.equal(s.recentRate, 0.4);
    close(s.baselineRate, 0.1, 1e-12);
    close(s.ratio, 4, 1e-12);
    assert.ok(s.pValue < 3e-4 && s.z > 4, `${s.pValue} ${s.z}`);
    // the baseline's uncertainty is kept: a bit wider than the plain binomial tail
    assert.ok(s.pValue > binomialUpperTail(12, 30, 0.1));
    assert.equal(levelOf(s.pValue, s.ratio), 'blue');
  });

  test('an unchanged rate, or a unit with little history, does not alarm', () => {
    const same = rateSignal({ recentEvents: 3, recentTrials: 30, baselineEvents: 20, baselineTrials: 200 });
    assert.ok(same.pValue > 0.3);
    const fresh = rateSignal({ recentEvents: 2, recentTrials: 5, baselineEvents: 0, baselineTrials: 3 });
    close(fresh.baselineRate, 1 / 13, 1e-12);
    assert.equal(levelOf(fresh.pValue, fresh.ratio), null);
    assert.throws(() => rateSignal({ recentEvents: 5, recentTrials: 3, baselineEvents: 0, baselineTrials: 0 }), /不能多于总数/);
  });

  test('an unsatisfied rate with a city-wide prior', () => {
    const s = rateSignal({ recentEvents: 9, recentTrials: 40, baselineEvents: 8, baselineTrials: 200 }, { priorRate: 0.05, priorStrength: 20 });
    close(s.baselineRate, 9 / 220, 1e-12);
    assert.equal(levelOf(s.pValue, s.ratio), 'blue', JSON.stringify(s));
    // the same jump on a baseline of only 2 in 60 is not yet a warning: that baseline rate is itself uncertain
    const short = rateSignal({ recentEvents: 9, recentTrials: 40, baselineEvents: 2, baselineTrials: 60 }, { priorRate: 0.05, priorStrength: 20 });
    assert.ok(short.pValue > 3e-4 && short.pValue < 0.01, String(short.pValue));
  });
});

describe('levelOf', () => {
  test('both thresholds must be met; the highest level met wins', () => {
    assert.equal(levelOf(0.5, 1), null);
    assert.equal(levelOf(3e-4, 1.5), 'blue');
    assert.equal(levelOf(4e-4, 10), null);
    assert.equal(levelOf(1e-20, 1.4), null, 'a tiny rise in a huge series');
    assert.equal(levelOf(1e-6, 2.5), 'yellow');
    assert.equal(levelOf(1e-6, 1.8), 'blue');
    assert.equal(levelOf(1e-8, 3.5), 'orange');
    assert.equal(levelOf(1e-12, 6), 'red');
    assert.equal(levelOf(1e-12, 4), 'orange');
    assert.equal(levelOf(Number.NaN, 10), null);
    assert.equal(levelOf(0.01, 2, { ...DEFAULT_THRESHOLDS, blue: { pValue: 0.05, ratio: 1.2 } }), 'blue');
    assert.deepEqual(Object.values(LEVEL_NAMES), ['蓝色预警', '黄色预警', '橙色预警', '红色预警']);
  });
});

describe('riskScore', () => {
  test('every point is traceable to one signal', () => {
    const r = riskScore([
      { key: '投诉量激增', value: normalizeP(1e-6), weight: 3 },
      { key: '超期率', value: normalizeRate(0.4), weight: 2 },
      { key: '重办次数', value: normalizeCount(2, 10), weight: 1 },
      { key: '不满意率', value: 1.7, weight: 0 },
    ]);
    assert.deepEqual(
      r.contributions.map((c) => [c.key, c.value, c.points]),
      [['投诉量激增', 1, 50], ['超期率', 0.4, (100 * 2 * 0.4) / 6], ['重办次数', 0.2, (100 * 0.2) / 6], ['不满意率', 1, 0]],
    );
    close(r.score, r.contributions.reduce((a, c) => a + c.points, 0), 1e-12);
    close(r.score, 66.6666666667, 1e-9);
    assert.equal(riskScore([{ key: 'a', value: 1, weight: 1 }, { key: 'b', value: 1, weight: 2 }]).score, 100);
    assert.equal(riskScore([]).score, 0);
    assert.throws(() => riskScore([{ key: 'a', value: 1, weight: -1 }]), /权重/);
  });

  test('documented transforms', () => {
    close(normalizeP(0.01), 1 / 3, 1e-12);
    assert.equal(normalizeP(1e-9), 1);
    assert.equal(normalizeP(0), 1);
    assert.equal(normalizeP(1), 0);
    assert.equal(normalizeRatio(1), 0);
    close(normalizeRatio(2), 1 / 3, 1e-12);
    assert.equal(normalizeRatio(0.5), 0);
    assert.equal(normalizeRatio(100), 1);
    assert.equal(normalizeRate(-0.1), 0);
    assert.equal(normalizeCount(15, 10), 1);
    assert.equal(formatP(0.0032), '0.0032');
    assert.equal(formatP(2.13e-5), '2.1e-5');
    assert.equal(formatP(1e-20), '<1e-12');
  });
});
