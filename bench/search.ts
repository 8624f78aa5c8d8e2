/**
 * npm run bench:search — loads generated problems (1,000,000 into PostgreSQL when DATABASE_URL is set, 100,000 into
 * PGlite), then runs a fixed mix of 200 queries (and 25 hot-topic lookups beside the dashboards) through the search and dashboard services (single words, two words,
 * phrases, filters alone, filters with words, dashboard pages) and prints one JSON line with p50/p95/max per type and
 * database. In the same run it measures the baselines the indexes replace: a LIKE scan over title and body, and the
 * dashboard's breakdowns grouped straight from the problem table.
 *
 * Texts: sentences of the shared real messages (ZHD_SHARED_DATA, default ../shared/data) recombined, so that words
 * are as frequent as in real reports; without that folder, the project's own demo scenarios.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createScratchDatabase } from '../src/db/scratch.ts';
import pino from 'pino';
import { sql } from 'kysely';
import type { AppContext } from '../src/context.ts';
import { openPglite, openPostgres, type Database } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { loadConfig } from '../src/lib/config.ts';
import { FieldCipher } from '../src/lib/crypto.ts';
import { createServices } from '../src/app.ts';
import { SYSTEM_ACTOR } from '../src/modules/auth/access.ts';
import { seedDemoCity } from '../src/modules/seed/service.ts';
import { SCENARIOS, SHOPS, COMPANIES, ROADS } from '../src/modules/seed/scenarios.ts';
import { topicTerms } from '../src/modules/triage/hot-topics.ts';
import { tsvectorOf } from '../src/modules/search/tokens.ts';
import { mulberry32 } from '../src/lib/random.ts';
import type { SearchInput } from '../src/modules/search/service.ts';

const PG_PROBLEMS = Number(process.env.ZHD_BENCH_PG_PROBLEMS ?? 1_000_000);
const PGLITE_PROBLEMS = Number(process.env.ZHD_BENCH_PGLITE_PROBLEMS ?? 100_000);
const KEY = 'fedcba9876543210fedcba9876543210';
const CHUNK = 5_000;
const END = Date.parse('2026-11-25T23:00:00+08:00');
const SPAN_DAYS = 730;
const log = (line: string) => process.stderr.write(`${line}\n`);


/** Titles and sentences to recombine. */
function textPool(): { titles: string[]; sentences: string[]; source: string } {
  const dir = path.resolve(process.env.ZHD_SHARED_DATA ?? path.join(process.cwd(), '..', 'shared', 'data'), 'teddy2020');
  const files = ['train.jsonl', 'titles.jsonl', 'hotspot.jsonl', 'replies.jsonl', 'dev.jsonl'].map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
  const titles: string[] = [];
  const sentences: string[] = [];
  for (const f of files) {
    for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as { title?: string; body?: string };
      if (r.title) titles.push(r.title);
      if (r.body) for (const s of r.body.split(/(?<=[。！？!?])/)) if (s.length >= 8 && s.length <= 160) sentences.push(s.trim());
    }
  }
  if (titles.length && sentences.length) return { titles, sentences, source: 'teddy2020' };
  const fill = (s: string, i: number) => s.replace(/\{place\}/g, `${ROADS[i % ROADS.length]}`).replace(/\{district\}/g, '本区').replace(/\{road\}/g, ROADS[i % ROADS.length]!)
    .replace(/\{shop\}/g, SHOPS[i % SHOPS.length]!).replace(/\{company\}/g, COMPANIES[i % COMPANIES.length]!).replace(/\{impact\}/g, '影响生活').replace(/\{request\}/g, '请处理');
  SCENARIOS.forEach((s, i) => { titles.push(fill(s.title, i)); sentences.push(...fill(s.body, i).split(/(?<=[，。])/)); });
  return { titles, sentences, source: 'scenarios' };
}

type Ref = { channels: string[]; domains: string[]; kinds: string[]; regions: string[]; units: number[] };

async function loadProblems(ctx: AppContext, count: number, pool: ReturnType<typeof textPool>, ref: Ref) {
  const rnd = mulberry32(20261126);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const misconduct = ['乱罚款', '态度恶劣', '不作为', '未亮证', '吃拿卡要'];
  await sql`drop index if exists problem_search`.execute(ctx.db);
  // problems arrive in time: a city's table holds them in about the order they were reported, and so does this one
  const times = Array.from({ length: count }, () => {
    // a weekly rhythm: weekends get fewer reports
    let at = END - rnd() * SPAN_DAYS * 86_400_000;
    const weekday = new Date(at + 8 * 3_600_000).getUTCDay();
    if ((weekday === 0 || weekday === 6) && rnd() < 0.45) at -= 2 * 86_400_000;
    return at;
  }).sort((a, b) => a - b);
  let tokenMs = 0;
  let insertMs = 0;
  for (let start = 0; start < count; start += CHUNK) {
    const t0 = performance.now();
    const rows = [];
    for (let i = start; i < Math.min(count, start + CHUNK); i++) {
      const at = times[i]!;
      const title = pick(pool.titles);
      const body = Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => pick(pool.sentences)).join('');
      const target = rnd() < 0.3 ? pick(SHOPS) : null;
      const ageDays = (END - at) / 86_400_000;
      const status = ageDays > 20 ? (rnd() < 0.92 ? 'closed' : 'redirected') : rnd() < 0.5 ? 'dispatched' : rnd() < 0.5 ? 'new' : 'closed';
      rows.push({
        tracking_code: `B${i.toString(36).padStart(8, '0')}${randomBytes(3).toString('hex')}`,
        channel: pick(ref.channels), title, body, kind_code: pick(ref.kinds), domain_code: rnd() < 0.9 ? pick(ref.domains) : null,
        reported_at: new Date(at).toISOString(), region_code: rnd() < 0.95 ? pick(ref.regions) : null, target_text: target, status,
        misconduct: rnd() < 0.03 ? [pick(misconduct)] : [], search_tsv: tsvectorOf([title, body, target]), topic_terms: topicTerms({ title, body }),
      });
    }
    const t1 = performance.now();
    await sql`
      insert into problem (tracking_code, channel, title, body, kind_code, domain_code, reported_at, region_code, target_text, status, misconduct, search_tsv, topic_terms, triaged_at)
      select tracking_code, channel, title, body, kind_code, domain_code, reported_at, region_code, target_text, status, misconduct, search_tsv::tsvector, topic_terms, reported_at
      from json_to_recordset(${JSON.stringify(rows)}::json) as t (tracking_code text, channel text, title text, body text, kind_code text, domain_code text,
        reported_at timestamptz, region_code text, target_text text, status text, misconduct text[], search_tsv text, topic_terms text[])`.execute(ctx.db);
    tokenMs += t1 - t0;
    insertMs += performance.now() - t1;
    if ((start / CHUNK) % 20 === 0) log(`  ${start + rows.length} / ${count}`);
  }
  const t2 = performance.now();
  await sql`create index problem_search on problem using gin (search_tsv)`.execute(ctx.db);
  const ginMs = performance.now() - t2;
  // work orders for what was dispatched, follow-ups for what was closed, written by the database itself
  const t3 = performance.now();
  await sql`
    insert into work_order (problem_id, unit_id, role, state, dispatched_at, sign_deadline, signed_at, clock_started_at, deadline, deadline_amount, deadline_unit, replied_at, closed_at, overdue_at, listed_at)
    select p.id, (${ref.units}::int[])[1 + (p.id % ${ref.units.length})], 'lead', case when p.status = 'closed' then 'closed' else 'handling' end,
           p.reported_at + interval '2 hours', p.reported_at + interval '1 day', p.reported_at + interval '5 hours', p.reported_at + interval '2 hours',
           p.reported_at + interval '14 days', 10, 'working_days',
           case when p.status = 'closed' then p.reported_at + make_interval(days => (p.id % 20)::int) end,
           case when p.status = 'closed' then p.reported_at + make_interval(days => (p.id % 20)::int + 1) end,
           case when p.id % 20 >= 14 then p.reported_at + interval '14 days' end,
           case when p.id % 97 = 0 then p.reported_at + interval '3 days' end
    from problem p where p.status in ('closed', 'dispatched')`.execute(ctx.db);
  await sql`
    insert into follow_up (work_order_id, problem_id, unit_id, satisfaction, method, at)
    select o.id, o.problem_id, o.unit_id,
           (array['satisfied','satisfied','satisfied','satisfied','satisfied','basically_satisfied','basically_satisfied','unsatisfied','unrated','unrated'])[1 + (o.id % 10)],
           'phone', o.closed_at + interval '1 day'
    from work_order o where o.state = 'closed'`.execute(ctx.db);
  const ordersMs = performance.now() - t3;
  const t4 = performance.now();
  await sql`analyze`.execute(ctx.db);
  const services = createServices(ctx);
  const days = await services.analytics.refresh();
  const rollupMs = performance.now() - t4;
  return { token_s: r1(tokenMs / 1000), insert_s: r1(insertMs / 1000), gin_index_s: r1(ginMs / 1000), orders_s: r1(ordersMs / 1000), rollup_s: r1(rollupMs / 1000), rollup_days: days };
}

const r1 = (x: number) => Math.round(x * 10) / 10;

type Query = { type: string; run: () => Promise<unknown>; desc?: string };

/** The fixed mix: 200 queries, the same every run. */
function queryMix(services: ReturnType<typeof createServices>, ref: Ref): Query[] {
  const rnd = mulberry32(7);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const common = ['小区', '物业', '学校', '工资', '噪音', '停车', '垃圾', '补贴', '拆迁', '公交', '医院', '污染', '业主', '老师', '孩子'];
  const rare = ['油烟', '违建', '乱收费', '欠薪', '养老保险', '学位', '加装电梯', '扰民', '占道', '烧烤', '渣土车', '广场舞', '化粪池', '公积金', '廉租房'];
  const phrases = ['"物业费"', '"小区业主"', '"拖欠工资"', '"噪音扰民"', '"违章建筑"', '"城管执法"', '"停车位"', '"教育局"', '"安置房"', '"社保缴费"'];
  const search = (filters: SearchInput, sort: 'time' | 'relevance' = 'time') => Object.assign(() => services.search.search(SYSTEM_ACTOR, filters, { sort, limit: 20, offset: 0 }), { desc: `${JSON.stringify(filters)} ${sort}` });
  const month = () => {
    const m = 1 + Math.floor(rnd() * 22);
    const from = new Date(Date.UTC(2025, m - 1, 1) - 8 * 3_600_000);
    return { from, to: new Date(Date.UTC(2025, m, 1) - 8 * 3_600_000) };
  };
  const filter = (): SearchInput => {
    const f: SearchInput = {};
    const n = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) {
      const which = Math.floor(rnd() * 6);
      if (which === 0) f.domain = pick(ref.domains);
      else if (which === 1) f.region = pick(ref.regions).slice(0, 6);
      else if (which === 2) f.channel = pick(ref.channels);
      else if (which === 3) Object.assign(f, month());
      else if (which === 4) f.misconduct = 'any';
      else f.overdue = true;
    }
    return f;
  };
  const dayRange = (days: number) => {
    const to = new Date(END - Math.floor(rnd() * 300) * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
    const from = new Date(Date.parse(to) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
    return { from, to };
  };
  const dashboard = (days: number): Query[] => {
    const range = dayRange(days);
    return [
      { type: 'dashboard', run: () => services.analytics.dashboard(SYSTEM_ACTOR, range) },
      { type: 'hot_topics', run: () => services.problems.hotTopics(SYSTEM_ACTOR, { from: new Date(`${range.from}T00:00:00+08:00`), to: new Date(Date.parse(`${range.to}T00:00:00+08:00`) + 86_400_000), limit: 10 }) },
    ];
  };
  const qs: Query[] = [];
  for (let i = 0; i < 40; i++) qs.push({ type: 'word', run: search({ q: i % 2 ? pick(common) : pick(rare) }, i % 4 === 3 ? 'relevance' : 'time') });
  for (let i = 0; i < 30; i++) qs.push({ type: 'two_words', run: search({ q: `${pick(common)} ${pick(i % 2 ? rare : common)}` }) });
  for (let i = 0; i < 30; i++) qs.push({ type: 'phrase', run: search({ q: pick(phrases) }) });
  for (let i = 0; i < 35; i++) qs.push({ type: 'filters', run: search(filter()) });
  for (let i = 0; i < 40; i++) qs.push({ type: 'filters_words', run: search({ ...filter(), q: pick(rnd() < 0.5 ? common : rare) }) });
  // the dashboard page: its aggregates and, beside them, the hot topics of the same days
  for (let i = 0; i < 25; i++) qs.push(...dashboard(i % 5 === 0 ? 365 : i % 5 === 1 ? 91 : 30));
  // interleave deterministically so that no type runs only on a cold or warm cache
  return qs.map((q, i) => ({ q, k: mulberry32(i + 1)() })).sort((a, b) => a.k - b.k).map((x) => x.q);
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const stats = (xs: number[]) => ({ n: xs.length, p50_ms: r1(quantile(xs, 0.5)), p95_ms: r1(quantile(xs, 0.95)), max_ms: r1(Math.max(...xs)) });

/** What the indexes and rollups replace, timed on the same data. */
async function baselines(ctx: AppContext) {
  const like: number[] = [];
  for (const w of ['油烟', '物业', '加装电梯']) {
    const t0 = performance.now();
    await sql`select id from problem where (title like ${`%${w}%`} or body like ${`%${w}%`}) and status <> 'merged' order by reported_at desc limit 20`.execute(ctx.db);
    await sql`select count(*) from problem where (title like ${`%${w}%`} or body like ${`%${w}%`}) and status <> 'merged'`.execute(ctx.db);
    like.push(performance.now() - t0);
  }
  const t1 = performance.now();
  const from = new Date('2025-11-26T00:00:00+08:00');
  const to = new Date('2026-11-26T00:00:00+08:00');
  await Promise.all(['channel', 'domain_code', 'kind_code', 'region_code', 'status'].map((c) =>
    sql`select ${sql.ref(c)}, count(*) from problem where reported_at >= ${from} and reported_at < ${to} and status <> 'merged' group by 1`.execute(ctx.db)));
  return { like_scan_ms: r1(quantile(like, 0.5)), groupby_year_ms: r1(performance.now() - t1) };
}

async function runOn(database: Database, count: number, pool: ReturnType<typeof textPool>, reuse = false) {
  await migrate(database.db);
  const ctx: AppContext = { database, db: database.db, config: loadConfig({ LOG_LEVEL: 'silent', ZHD_SM4_KEY: KEY }), cipher: new FieldCipher(KEY), log: pino({ level: 'silent' }) };
  if (!reuse) await seedDemoCity(ctx);
  const ref: Ref = {
    channels: (await ctx.db.selectFrom('channel').select('code').execute()).map((r) => r.code),
    domains: (await ctx.db.selectFrom('enforcement_domain').select('code').execute()).map((r) => r.code),
    kinds: (await ctx.db.selectFrom('report_kind').select('code').execute()).map((r) => r.code),
    regions: (await ctx.db.selectFrom('region').select('code').where('level', 'in', ['county', 'township']).execute()).map((r) => r.code),
    units: (await ctx.db.selectFrom('unit').select('id').where('kind', '=', 'department').execute()).map((r) => r.id),
  };
  log(reuse ? '沿用已载入的数据库…' : `载入 ${count} 条问题…`);
  const load = reuse ? { reused: true } : await loadProblems(ctx, count, pool, ref);
  if (reuse) count = Number((await sql<{ n: number }>`select count(*)::int as n from problem`.execute(ctx.db)).rows[0]!.n);
  if (process.env.ZHD_BENCH_LOAD_ONLY) return { problems: count, load };
  log(`载入完成 ${JSON.stringify(load)}；运行 200 条查询…`);
  const services = createServices(ctx);
  const times = new Map<string, number[]>();
  const slow: { ms: number; what: string }[] = [];
  for (const q of queryMix(services, ref)) {
    const t0 = performance.now();
    await q.run();
    const ms = performance.now() - t0;
    times.set(q.type, [...(times.get(q.type) ?? []), ms]);
    slow.push({ ms, what: `${q.type} ${(q.run as { desc?: string }).desc ?? ''}` });
  }
  // ZHD_BENCH_VERBOSE=1 lists the slowest queries (to tune them)
  if (process.env.ZHD_BENCH_VERBOSE) for (const x of slow.filter((x) => !/^(hot_topics|dashboard)/.test(x.what)).sort((a, b) => b.ms - a.ms).slice(0, 25)) log(`  ${x.ms.toFixed(0)} ms  ${x.what}`);
  const searchTimes = [...times].filter(([k]) => k !== 'dashboard' && k !== 'hot_topics').flatMap(([, v]) => v);
  const byType = Object.fromEntries([...times].map(([k, v]) => [k, stats(v)]));
  log('基线（LIKE 扫描、直接分组统计）…');
  return { problems: count, search_p95_ms: r1(quantile(searchTimes, 0.95)), dashboard_ms: r1(quantile(times.get('dashboard')!, 0.95)), hot_topics_p95_ms: r1(quantile(times.get('hot_topics')!, 0.95)), by_type: byType, load, baseline: await baselines(ctx) };
}

const pool = textPool();
log(`文本来源：${pool.source}（${pool.titles.length} 个标题、${pool.sentences.length} 个句子）`);
const result: Record<string, unknown> = {};
const base = process.env.DATABASE_URL;
if (base && process.env.ZHD_BENCH_REUSE_DB) {
  // ZHD_BENCH_REUSE_DB=<name of a database kept by ZHD_BENCH_KEEP_DB>: the queries again, without loading
  const url = new URL(base);
  url.pathname = `/${process.env.ZHD_BENCH_REUSE_DB}`;
  const database = await openPostgres(url.toString(), { poolSize: 4, prepare: process.env.ZHD_PG_PREPARE !== 'off' });
  result.postgres = await runOn(database, 0, pool, true);
  await database.close();
} else if (base) {
  // ZHD_BENCH_KEEP_DB=1 keeps the database afterwards (for EXPLAIN); its name is printed
  const scratch = await createScratchDatabase(base, 'zhd_bench_search');
  try {
    log('PostgreSQL…');
    const database = await openPostgres(scratch.url, { poolSize: 4, prepare: process.env.ZHD_PG_PREPARE !== 'off' });
    result.postgres = await runOn(database, PG_PROBLEMS, pool);
    await database.close();
  } finally {
    if (process.env.ZHD_BENCH_KEEP_DB) log(`保留数据库 ${scratch.name}`);
    else await scratch.drop();
  }
} else {
  result.postgres = null;
}
// ZHD_BENCH_PG_ONLY=1: PostgreSQL alone (while tuning its queries)
if (!process.env.ZHD_BENCH_PG_ONLY) {
log('PGlite…');
const liteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhd-bench-search-'));
const lite = await openPglite(liteDir);
result.pglite = await runOn(lite, PGLITE_PROBLEMS, pool);
await lite.close();
fs.rmSync(liteDir, { recursive: true, force: true });
}
result.text_source = pool.source;
process.stdout.write(`${JSON.stringify(result)}\n`);
