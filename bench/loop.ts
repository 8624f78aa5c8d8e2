/**
 * npm run bench:loop — the supervision loop under load, on PostgreSQL. Seeds the demo city and 100,000 problems with
 * work orders in every state, starts the real server in a child process, and drives its API with autocannon over
 * loopback: 50 connections for 30 s over a mix of inbox lists, order pages and sign-for steps. In the same run it
 * measures a bare route of the same server as the ceiling. Prints one JSON line.
 *
 * DATABASE_URL names the server (default postgres://postgres@127.0.0.1:5432/postgres); a fresh database is created
 * and dropped. ZHD_BENCH_PROBLEMS, ZHD_BENCH_SECONDS and ZHD_BENCH_CONNECTIONS change the size.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import pino from 'pino';
import { openPostgres } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createScratchDatabase } from '../src/db/scratch.ts';
import { loadConfig } from '../src/lib/config.ts';
import { FieldCipher } from '../src/lib/crypto.ts';
import { DEMO_PASSWORD } from '../src/modules/seed/wuhu.ts';
import { seedDemoCity } from '../src/modules/seed/service.ts';
import { createServices } from '../src/app.ts';

const PROBLEMS = Number(process.env.ZHD_BENCH_PROBLEMS ?? 100_000);
const SECONDS = Number(process.env.ZHD_BENCH_SECONDS ?? 30);
const CONNECTIONS = Number(process.env.ZHD_BENCH_CONNECTIONS ?? 50);
const KEY = 'fedcba9876543210fedcba9876543210';
const PORT = 39_000 + Math.floor(Math.random() * 1000);
const BASE = `http://127.0.0.1:${PORT}`;
const log = (line: string) => process.stderr.write(`${line}\n`);

const createDatabase = () => createScratchDatabase(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres', 'zhd_bench_loop');

/** Problems and one lead order each, spread over the departments; a fifth belong to the demo handler's unit. */
async function seed(url: string): Promise<{ handlerUnit: number; pendingIds: number[]; orderIds: number[] }> {
  const database = await openPostgres(url, { poolSize: 2 });
  const ctx = { database, db: database.db, config: loadConfig({ LOG_LEVEL: 'silent', ZHD_SM4_KEY: KEY }), cipher: new FieldCipher(KEY), log: pino({ level: 'silent' }) };
  await migrate(database.db);
  await seedDemoCity(ctx);
  const handler = await database.db.selectFrom('app_user').select('unit_id').where('username', '=', 'handler').executeTakeFirstOrThrow();
  const t0 = Date.now();
  await sql`
    insert into problem (tracking_code, channel, title, body, kind_code, domain_code, reported_at, status, triaged_at)
    select 'ZD' || upper(lpad(to_hex(g), 10, '0')), 'hotline12345', '基准测试问题 ' || g, '某商户占道经营、噪音扰民，多次反映，要求查处。编号 ' || g,
           (array['complaint', 'consult', 'report'])[1 + g % 3], (array['food_drug', 'urban_mgmt', 'eco_env'])[1 + g % 3],
           now() - (g % 120) * interval '1 day', (array['dispatched', 'dispatched', 'dispatched', 'dispatched', 'dispatched', 'dispatched', 'dispatched', 'replied', 'replied', 'closed'])[1 + g % 10],
           -- already triaged, as in a running city: the server's triage job has nothing to catch up on
           now()
    from generate_series(1, ${PROBLEMS}) g`.execute(database.db);
  await sql`
    with units as (select array_agg(id order by id) as ids from unit where kind = 'department' and id <> ${handler.unit_id})
    insert into work_order (problem_id, unit_id, role, state, urgency, dispatched_at, sign_deadline, signed_at, clock_started_at, deadline, deadline_amount, deadline_unit, replied_at, closed_at, redo_count, reminded_at, sign_overdue_at, overdue_at, updated_at)
    select p.id,
           case when p.id % 5 = 0 then ${handler.unit_id} else units.ids[1 + p.id % array_length(units.ids, 1)] end,
           'lead',
           (array['pending_sign', 'pending_sign', 'pending_sign', 'pending_sign', 'pending_sign', 'handling', 'handling', 'replied', 'follow_up', 'closed'])[1 + (p.id / 5) % 10],
           'normal', p.reported_at + interval '1 hour', p.reported_at + interval '1 day',
           case when (p.id / 5) % 10 >= 5 then p.reported_at + interval '3 hours' end,
           p.reported_at + interval '1 hour',
           -- open orders are recent: a few days overdue to two weeks ahead
           case when (p.id / 5) % 10 < 7 then now() + ((p.id % 20) - 3) * interval '1 day' + (p.id % 1440) * interval '1 minute' else p.reported_at + interval '14 days' end, 10, 'working_days',
           case when (p.id / 5) % 10 >= 7 then p.reported_at + interval '5 days' end,
           case when (p.id / 5) % 10 = 9 then p.reported_at + interval '8 days' end,
           (p.id % 7 = 0)::int,
           -- the sweep's backlog is already worked off, as in a running city
           now(), now(), case when (p.id / 5) % 10 < 7 and p.id % 20 < 3 then now() end, now()
    from problem p, units`.execute(database.db);
  await sql`
    insert into work_event (work_order_id, problem_id, kind, to_state, actor_label, at)
    select id, problem_id, 'dispatched', 'pending_sign', '基准测试', dispatched_at from work_order`.execute(database.db);
  // the server's background jobs have caught up in a running city: the search index and the daily rollups are built
  // (left to the server, its search job would segment and index all 100,000 problems during the measurement)
  const services = createServices(ctx);
  await services.search.indexPending();
  await services.analytics.refresh();
  // as autovacuum would have done in a running city: statistics and the visibility map (index-only counts)
  await sql`vacuum analyze`.execute(database.db);
  log(`  已生成 ${PROBLEMS} 个问题与工单（${((Date.now() - t0) / 1000).toFixed(1)} 秒）`);
  const mine = await database.db.selectFrom('work_order').select(['id', 'state']).where('unit_id', '=', handler.unit_id).orderBy('id').execute();
  await database.close();
  return { handlerUnit: handler.unit_id, pendingIds: mine.filter((o) => o.state === 'pending_sign').map((o) => o.id), orderIds: mine.map((o) => o.id) };
}

function startServer(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, '..', 'bin', 'zhd.js'), 'serve'], {
    env: { ...process.env, DATABASE_URL: url, ZHD_SM4_KEY: KEY, PORT: String(PORT), HOST: '127.0.0.1', LOG_LEVEL: 'warn', ZHD_DEMO_SEED: 'false', ZHD_PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = async () => {
      try {
        if ((await fetch(`${BASE}/api/health`)).ok) return resolve(child);
      } catch {
        // not up yet
      }
      if (Date.now() > deadline || child.exitCode !== null) return reject(new Error('服务未能启动'));
      setTimeout(poll, 300);
    };
    void poll();
  });
}

async function login(username: string): Promise<string> {
  const res = await fetch(`${BASE}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: DEMO_PASSWORD }) });
  if (!res.ok) throw new Error(`登录 ${username} 失败：${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(opts, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)]!;

async function main() {
  const db = await createDatabase();
  let server: ChildProcess | null = null;
  try {
    log('== 准备数据');
    const { pendingIds, orderIds } = await seed(db.url);
    server = await startServer(db.url);
    const handler = await login('handler');
    const supervisor = await login('supervisor');

    log(`== 空路由（上限）${Math.min(SECONDS, 10)} 秒`);
    const bare = await run({ url: `${BASE}/api/health`, connections: CONNECTIONS, duration: Math.min(SECONDS, 10) });

    log(`== 混合负载 ${SECONDS} 秒，${CONNECTIONS} 个连接`);
    let nextPending = 0;
    const tabs = ['pending_sign', 'handling', 'due_soon', 'overdue', 'replied'];
    const mix = await run({
      url: BASE,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          setupRequest: (req) => {
            const r = Math.random();
            if (r < 0.35) return { ...req, method: 'GET', path: `/api/work-orders?tab=${pick(tabs)}&limit=20`, headers: { cookie: handler } };
            if (r < 0.5) return { ...req, method: 'GET', path: `/api/work-orders?tab=${pick(['overdue', 'listed', 'escalated', 'replied'])}&limit=20`, headers: { cookie: supervisor } };
            if (r < 0.85 || nextPending >= pendingIds.length) return { ...req, method: 'GET', path: `/api/work-orders/${pick(orderIds)}`, headers: { cookie: handler } };
            const id = pendingIds[nextPending++]!;
            return { ...req, method: 'POST', path: `/api/work-orders/${id}/sign`, headers: { cookie: handler, 'content-type': 'application/json' }, body: JSON.stringify({ version: 1 }) };
          },
        },
      ],
    });
    const errors = mix.errors + mix.timeouts + mix.non2xx;

    log('== 各类请求单独测 5 秒');
    const alone = async (path: () => string, cookie: string) => {
      const r = await run({ url: BASE, connections: CONNECTIONS, duration: 5, requests: [{ setupRequest: (req) => ({ ...req, method: 'GET', path: path(), headers: { cookie } }) }] });
      return { req_per_s: Math.round(r.requests.average), p99_ms: r.latency.p99, errors: r.errors + r.non2xx };
    };
    const byType = {
      inbox: await alone(() => `/api/work-orders?tab=${pick(tabs)}&limit=20`, handler),
      board: await alone(() => `/api/work-orders?tab=${pick(['overdue', 'listed', 'escalated', 'replied'])}&limit=20`, supervisor),
      order_page: await alone(() => `/api/work-orders/${pick(orderIds)}`, handler),
    };
    const result = {
      problems: PROBLEMS,
      connections: CONNECTIONS,
      seconds: SECONDS,
      req_per_s: Math.round(mix.requests.average),
      p50_ms: mix.latency.p50,
      p99_ms: mix.latency.p99,
      errors,
      signed: nextPending,
      bare_req_per_s: Math.round(bare.requests.average),
      share_of_bare: Math.round((mix.requests.average / bare.requests.average) * 1000) / 1000,
      by_type: byType,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    server?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1500));
    if (process.env.ZHD_BENCH_KEEP_DB) log(`数据库保留在 ${db.url}`);
    else await db.drop();
  }
}

await main();
