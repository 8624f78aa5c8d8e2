/**
 * npm run bench:risk — a year of generated background for the demo city (weekly and seasonal rhythm, holidays from
 * the working-day calendar, districts of different sizes, shops complained about now and then, units with their usual
 * overdue rate), 50 injected events (25 spikes in one domain and district, 15 targets suddenly complained about, 10
 * units whose overdue rate climbs), then every rule replayed day by day over the year exactly as the hourly detection
 * would have raised warnings (one per ongoing event). Prints one JSON line:
 * {"events":50,"recall":…,"false_alarms_per_month":…,"median_days_to_warning":…,"run_s":…}
 * On PostgreSQL when DATABASE_URL is set (a new database, dropped afterwards), otherwise on PGlite.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { sql } from 'kysely';
import type { AppContext } from '../src/context.ts';
import { openPglite, openPostgres, type Database } from '../src/db/client.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadConfig } from '../src/lib/config.ts';
import { FieldCipher } from '../src/lib/crypto.ts';
import { createServices } from '../src/app.ts';
import { loadCalendar } from '../src/modules/calendar/service.ts';
import { seedDemoCity } from '../src/modules/seed/service.ts';
import { COUNTIES } from '../src/modules/seed/wuhu.ts';
import { addDays, backtest, lookback, type Rule } from '../src/modules/risk/evaluate.ts';
import { loadRiskData, riskRepo } from '../src/modules/risk/repo.ts';
import { mulberry32 } from '../src/lib/random.ts';
import { poissonSample } from '../src/modules/risk/series.ts';

const KEY = 'fedcba9876543210fedcba9876543210';
const FIRST = '2025-11-26';
const LAST = '2026-11-25';
/** Detection starts once three months of history exist. */
const DETECT_FROM = addDays(FIRST, 90);
const CITY_PER_WORKDAY = 320;
const COUNTY_WEIGHTS = [24, 16, 20, 10, 8, 8, 14];
const DOMAIN_WEIGHTS: Record<string, number> = { urban_mgmt: 26, eco_env: 14, food_drug: 12, labor: 10, transport: 9, work_safety: 6, natural_resources: 5, public_health: 6, education: 5, finance: 3, other: 4 };
const BASE_OVERDUE = 0.08;
const BASE_UNSATISFIED = 0.08;
const log = (line: string) => process.stderr.write(`${line}\n`);

type Event = { kind: 'volume' | 'target' | 'unit'; scopeKey: string; start: string; end: string; factor: number };

async function run(database: Database) {
  await migrate(database.db);
  const ctx: AppContext = { database, db: database.db, config: loadConfig({ LOG_LEVEL: 'silent', ZHD_SM4_KEY: KEY }), cipher: new FieldCipher(KEY), log: pino({ level: 'silent' }) };
  await seedDemoCity(ctx);
  const calendar = await loadCalendar(ctx.db);
  const rnd = mulberry32(20261126);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const units = await ctx.db.selectFrom('unit').select(['id', 'name', 'region_code', 'domains']).where('kind', '=', 'department').execute();
  const unitFor = (domain: string, county: string) =>
    units.find((u) => u.region_code === county && u.domains.includes(domain)) ?? units.find((u) => u.domains.includes(domain)) ?? units[0]!;
  const domains = Object.keys(DOMAIN_WEIGHTS);
  const totalW = Object.values(DOMAIN_WEIGHTS).reduce((a, b) => a + b, 0);
  const countyW = COUNTY_WEIGHTS.reduce((a, b) => a + b, 0);
  const mean = (domain: string, i: number) => (CITY_PER_WORKDAY * DOMAIN_WEIGHTS[domain]! / totalW) * (COUNTY_WEIGHTS[i]! / countyW);
  const days: string[] = [];
  for (let d = FIRST; d <= LAST; d = addDays(d, 1)) days.push(d);
  const dayFactor = (d: string) => {
    const m = Number(d.slice(5, 7));
    const season = m >= 6 && m <= 8 ? 1.25 : m <= 2 ? 0.85 : 1;
    const weekday = new Date(`${d}T00:00:00Z`).getUTCDay();
    const work = calendar.isWorkday(d);
    return season * (work ? 1 : weekday === 0 || weekday === 6 ? 0.55 : 0.4);
  };

  // the 50 events, each in a scope that can show it (a spike needs a series of at least 3 a day)
  const events: Event[] = [];
  const startDay = () => days[90 + Math.floor(rnd() * (days.length - 100))]!;
  const busy = domains.flatMap((d) => COUNTIES.map((c, i) => ({ d, c, i }))).filter((x) => mean(x.d, x.i) >= 3);
  // two events in one scope are three weeks apart or more: closer, they would be one event to anyone watching
  const apart = (kind: Event['kind'], scopeKey: string, start: string) =>
    events.every((e) => e.kind !== kind || e.scopeKey !== scopeKey || Math.abs(Date.parse(e.start) - Date.parse(start)) >= 21 * 86_400_000);
  for (let k = 0; k < 25; k++) {
    let s = pick(busy);
    let start = startDay();
    while (!apart('volume', `${s.d}|${s.c.code}`, start)) [s, start] = [pick(busy), startDay()];
    events.push({ kind: 'volume', scopeKey: `${s.d}|${s.c.code}`, start, end: addDays(start, 3 + Math.floor(rnd() * 4)), factor: 2.5 + rnd() * 1.5 });
  }
  for (let k = 0; k < 15; k++) {
    const start = startDay();
    events.push({ kind: 'target', scopeKey: `bench-new-shop-${k}`, start, end: addDays(start, 4 + Math.floor(rnd() * 6)), factor: 1 });
  }
  const busyUnits = [...new Set(busy.map((x) => unitFor(x.d, x.c.code).id))];
  for (let k = 0; k < 10; k++) {
    let start = startDay();
    while (!apart('unit', String(busyUnits[k % busyUnits.length]), start)) start = startDay();
    events.push({ kind: 'unit', scopeKey: String(busyUnits[k % busyUnits.length]), start, end: addDays(start, 30), factor: 0.35 + rnd() * 0.15 });
  }
  const active = (kind: Event['kind'], key: string, d: string) => events.find((e) => e.kind === kind && e.scopeKey === key && d >= e.start && d <= e.end);

  // background: problems per domain × district × day, a target for one in five (a long tail of ordinary shops)
  log('生成一年的背景数据与 50 个事件…');
  let seq = 0;
  const rows: object[] = [];
  const flush = async () => {
    if (!rows.length) return;
    await sql`
      with p as (
        insert into problem (tracking_code, channel, title, body, kind_code, domain_code, reported_at, region_code, target_key, target_text, status, misconduct, triaged_at)
        select t.code, 'hotline12345', '基准反映', '基准内容', 'complaint', t.domain, t.at, t.region, t.target, t.target_text, 'closed', t.misconduct, t.at
        from json_to_recordset(${JSON.stringify(rows)}::json) as t (code text, domain text, at timestamptz, region text, target text, target_text text, misconduct text[], unit int, overdue boolean, unsatisfied boolean)
        returning id, tracking_code, reported_at
      ), o as (
        insert into work_order (problem_id, unit_id, role, state, dispatched_at, sign_deadline, signed_at, clock_started_at, deadline, deadline_amount, deadline_unit, replied_at, closed_at, overdue_at)
        select p.id, t.unit, 'lead', 'closed', p.reported_at, p.reported_at + interval '1 day', p.reported_at + interval '1 hour', p.reported_at, p.reported_at + interval '10 days', 10, 'working_days',
               p.reported_at + interval '3 days', p.reported_at + interval '4 days', case when t.overdue then p.reported_at + interval '1 hour' end
        from p join json_to_recordset(${JSON.stringify(rows)}::json) as t (code text, unit int, overdue boolean, unsatisfied boolean) on t.code = p.tracking_code
        returning id, problem_id, unit_id, overdue_at, closed_at
      ), e as (
        insert into work_event (work_order_id, problem_id, kind, actor_label, at) select id, problem_id, 'overdue', '基准', overdue_at from o where overdue_at is not null
      )
      insert into follow_up (work_order_id, problem_id, unit_id, satisfaction, method, at)
      select o.id, o.problem_id, o.unit_id, case when t.unsatisfied then 'unsatisfied' else 'satisfied' end, 'phone', o.closed_at
      from o join p on p.id = o.problem_id join json_to_recordset(${JSON.stringify(rows)}::json) as t (code text, unsatisfied boolean) on t.code = p.tracking_code`.execute(ctx.db);
    rows.length = 0;
  };
  for (const d of days) {
    const f = dayFactor(d);
    for (const domain of domains) {
      for (let i = 0; i < COUNTIES.length; i++) {
        const county = COUNTIES[i]!;
        const spike = active('volume', `${domain}|${county.code}`, d);
        const n = poissonSample(rnd, mean(domain, i) * f * (0.9 + rnd() * 0.2) * (spike ? spike.factor : 1));
        const unit = unitFor(domain, county.code);
        const climb = active('unit', String(unit.id), d);
        for (let k = 0; k < n; k++) {
          const shop = rnd() < 0.2 ? `bench-shop-${Math.floor(Math.pow(rnd(), 2) * 3000)}` : null;
          rows.push({
            code: `K${(seq++).toString(36)}${randomBytes(2).toString('hex')}`, domain, at: `${d}T${String(8 + Math.floor(rnd() * 12)).padStart(2, '0')}:00:00+08:00`,
            region: county.code, target: shop, target_text: shop ? `${shop}号店` : null, misconduct: rnd() < 0.02 ? ['态度恶劣'] : [],
            unit: unit.id, overdue: rnd() < (climb ? climb.factor : BASE_OVERDUE), unsatisfied: rnd() < BASE_UNSATISFIED,
          });
        }
      }
    }
    for (const e of events.filter((x) => x.kind === 'target' && d >= x.start && d <= x.end)) {
      const n = poissonSample(rnd, 1.2);
      for (let k = 0; k < n; k++) {
        const county = pick(COUNTIES);
        rows.push({ code: `K${(seq++).toString(36)}${randomBytes(2).toString('hex')}`, domain: 'food_drug', at: `${d}T12:00:00+08:00`, region: county.code, target: e.scopeKey, target_text: `${e.scopeKey}号店`, misconduct: [], unit: unitFor('food_drug', county.code).id, overdue: false, unsatisfied: false });
      }
    }
    if (rows.length >= 4000) await flush();
  }
  await flush();
  log(`共 ${seq} 个问题；汇总…`);
  const services = createServices(ctx);
  await services.analytics.refresh();

  log('逐日回放全部规则…');
  const started = performance.now();
  const rules = (await riskRepo.currentRules(ctx.db)) as Rule[];
  const data = await loadRiskData(ctx.db, addDays(DETECT_FROM, -lookback(rules)), LAST);
  const regions = new Map((await ctx.db.selectFrom('region').select(['code', 'name']).execute()).map((r) => [r.code, r.name]));
  const names = { region: (c: string) => regions.get(c) ?? c, domain: (c: string) => c, isWorkday: (d: string) => calendar.isWorkday(d) };
  const warnings = rules.flatMap((r) => backtest(data, r, DETECT_FROM, LAST, names, 7).map((w) => ({ ...w, rule: r.signal })));
  const runS = (performance.now() - started) / 1000;

  const kindOf = (rule: string) => (rule === 'volume' ? 'volume' : rule === 'target' ? 'target' : rule === 'overdue_rate' ? 'unit' : null);
  const matches = (w: (typeof warnings)[number], e: Event) => kindOf(w.rule) === e.kind && w.scopeKey === e.scopeKey && w.raisedOn >= e.start && w.raisedOn <= addDays(e.end, 7);
  const delays: number[] = [];
  let found = 0;
  for (const e of events) {
    const first = warnings.filter((w) => matches(w, e)).sort((a, b) => a.raisedOn.localeCompare(b.raisedOn))[0];
    if (!first) continue;
    found++;
    delays.push(Math.round((Date.parse(first.raisedOn) - Date.parse(e.start)) / 86_400_000));
  }
  const falseAlarms = warnings.filter((w) => !events.some((e) => matches(w, e)));
  // ZHD_BENCH_VERBOSE=1 lists the false alarms and the events missed, to tune the rules
  if (process.env.ZHD_BENCH_VERBOSE) {
    for (const w of falseAlarms) log(`误报 ${w.raisedOn} ${w.level} ${w.title}`);
    for (const e of events.filter((x) => !warnings.some((w) => matches(w, x)))) log(`漏报 ${e.kind} ${e.scopeKey} ${e.start}–${e.end} ×${e.factor.toFixed(2)}`);
  }
  const months = (Date.parse(LAST) - Date.parse(DETECT_FROM)) / 86_400_000 / 30.44;
  delays.sort((a, b) => a - b);
  const byRule = Object.fromEntries(rules.map((r) => [r.code, { warnings: warnings.filter((w) => w.rule === r.signal).length, false_alarms: falseAlarms.filter((w) => w.rule === r.signal).length }]));
  return {
    events: events.length,
    recall: Math.round((found / events.length) * 1000) / 1000,
    false_alarms_per_month: Math.round((falseAlarms.length / months) * 100) / 100,
    median_days_to_warning: delays.length ? delays[Math.floor(delays.length / 2)]! : null,
    run_s: Math.round(runS * 10) / 10,
    problems: seq,
    by_kind: Object.fromEntries((['volume', 'target', 'unit'] as const).map((k) => [k, { events: events.filter((e) => e.kind === k).length, found: events.filter((e) => e.kind === k && warnings.some((w) => matches(w, e))).length }])),
    by_rule: byRule,
  };
}

const base = process.env.DATABASE_URL;
let result: Record<string, unknown>;
if (base) {
  const scratch = await createScratchDatabase(base, 'zhd_bench_risk');
  try {
    const database = await openPostgres(scratch.url, { poolSize: 4 });
    result = { database: 'postgres', ...(await run(database)) };
    await database.close();
  } finally {
    await scratch.drop();
  }
} else {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhd-bench-risk-'));
  const database = await openPglite(dir);
  result = { database: 'pglite', ...(await run(database)) };
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
