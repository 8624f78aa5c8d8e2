import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, login, type TestApp } from '../../../test/helpers.ts';
import { makeUser } from '../../../test/factories.ts';
import { cityDay } from '../../lib/calendar.ts';
import { createAnalyticsService } from '../analytics/service.ts';
import { createAuthService } from '../auth/service.ts';
import { createProblemsService } from '../problems/service.ts';
import { seedDemoCity } from '../seed/service.ts';
import { DEMO_PASSWORD } from '../seed/wuhu.ts';
import { createWorkOrdersService } from '../workorders/service.ts';
import { createRiskService } from './service.ts';

let t: TestApp;
let risk: ReturnType<typeof createRiskService>;
let analytics: ReturnType<typeof createAnalyticsService>;
const cookie: Record<string, string> = {};
const today = cityDay(new Date());
const DAY_MS = 86_400_000;

/** Problems reported on a city day (history for the signals), straight into the table like an import would leave them. */
async function reportedOn(day: string, n: number, o: { domain?: string; region?: string; target?: string }) {
  if (!n) return;
  await sql`
    insert into problem (tracking_code, channel, title, body, reported_at, region_code, domain_code, status, target_key, target_text, triaged_at)
    select ${`R${randomBytes(4).toString('hex')}`} || g, 'hotline12345', '测试反映', '测试内容', ${`${day}T10:00:00+08:00`}::timestamptz + (g || ' minutes')::interval,
           ${o.region ?? '340202'}, ${o.domain ?? 'urban_mgmt'}, 'triaged', ${o.target ?? null}, ${o.target ? `${o.target}烧烤店` : null}, now()
    from generate_series(1, ${n}) as g`.execute(t.ctx.db);
}
const daysAgo = (n: number) => new Date(Date.parse(`${today}T12:00:00+08:00`) - n * DAY_MS + 8 * 3_600_000).toISOString().slice(0, 10);

async function api(who: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const r = await t.app.inject({ method, url, headers: { cookie: cookie[who]! }, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.json() };
}

before(async () => {
  t = await createTestApp();
  await seedDemoCity(t.ctx);
  const problems = createProblemsService(t.ctx);
  analytics = createAnalyticsService(t.ctx, problems);
  risk = createRiskService(t.ctx, { problems, workOrders: createWorkOrdersService(t.ctx) });
  for (const who of ['supervisor', 'handler', 'leader']) cookie[who] = await login(t.app, who, DEMO_PASSWORD);
  const cgj = await t.ctx.db.selectFrom('unit').select('id').where('name', '=', '镜湖区城市管理局').executeTakeFirstOrThrow();
  const cgjHandler = await makeUser(t.ctx, { unit: cgj, roles: [['handler', cgj]] });
  cookie.cgjHandler = await login(t.app, cgjHandler.username, cgjHandler.password);
  // 镜湖区 城市管理: about 4 a day for nine weeks (fewer at weekends), then 18 a day for the last three days
  for (let i = 65; i >= 0; i--) {
    const day = daysAgo(i);
    const weekend = [0, 6].includes(new Date(`${day}T00:00:00Z`).getUTCDay());
    await reportedOn(day, i < 3 ? 18 : weekend ? 2 : 4, {});
    // a quiet, steady 弋江区 series that must not alarm
    await reportedOn(day, weekend ? 1 : 2, { region: '340209', domain: 'food_drug' });
  }
  // a shop never complained about before, six times this week
  for (let i = 0; i < 6; i++) await reportedOn(daysAgo(i), 1, { target: 'shop-haozailai', region: '340207', domain: 'eco_env' });
  await analytics.refresh();
});
after(() => t.close());

const openWarnings = () => t.ctx.db.selectFrom('warning').selectAll().where('state', 'in', ['new', 'assessed', 'dispatched']).execute();

test('a spike in one domain and district and a target complained about again and again become warnings with their evidence; a steady series does not', async () => {
  const r = await risk.detect(today);
  assert.ok(r.raised >= 2, JSON.stringify(r));
  const warnings = await openWarnings();
  const spike = warnings.find((w) => w.rule_code === 'volume_spike');
  assert.ok(spike, 'volume warning');
  assert.equal(spike.scope_key, 'urban_mgmt|340202');
  assert.match(spike.title, /镜湖区城市管理领域反映量异常上升/);
  const ev = spike.evidence as { observed: number; expected: number; pValue: number; series: unknown[] };
  assert.equal(ev.observed, 54);
  assert.ok(ev.expected < 20 && ev.pValue < 1e-5, JSON.stringify(ev));
  assert.ok(['yellow', 'orange', 'red'].includes(spike.level));
  const shop = warnings.find((w) => w.rule_code === 'target_repeat');
  assert.ok(shop, 'target warning');
  assert.equal(shop.target_key, 'shop-haozailai');
  assert.match(shop.title, /被投诉 6 次/);
  assert.equal((shop.evidence as { problemIds: number[] }).problemIds.length, 6);
  assert.ok(!warnings.some((w) => w.scope_key === 'food_drug|340209'), 'the steady series is quiet');
});

test('the same event is not raised twice: a second run refreshes the open warning', async () => {
  const before = (await openWarnings()).length;
  const r = await risk.detect(today);
  assert.equal(r.raised, 0);
  assert.ok(r.refreshed >= 2);
  assert.equal((await openWarnings()).length, before);
});

test('a warning\'s life: 研判 → 交办 (a work order to the unit, in its inbox) → 已化解 with a reason; wrong steps answer 409', async () => {
  const spike = (await openWarnings()).find((w) => w.rule_code === 'volume_spike')!;
  const listed = await api('leader', 'GET', '/api/risk/warnings?state=open');
  assert.ok(listed.body.rows.some((w: { id: number }) => w.id === spike.id), 'the leader sees the city');
  assert.equal((await api('handler', 'GET', '/api/risk/warnings')).body.total, 0, 'a unit sees nothing that is not its own');
  assert.equal((await api('handler', 'POST', `/api/risk/warnings/${spike.id}/assess`, { version: 1, note: '需要研判一下' })).status, 403);

  const early = await api('supervisor', 'POST', `/api/risk/warnings/${spike.id}/resolve`, { version: 1, reason: '已经处理好了' });
  assert.equal(early.status, 409);
  assert.deepEqual(early.body.allowed, ['assess', 'dispatch', 'dismiss']);
  const assessed = await api('supervisor', 'POST', `/api/risk/warnings/${spike.id}/assess`, { version: 1, note: '镜湖区占道经营集中，需城管部门专项整治' });
  assert.equal(assessed.status, 200, JSON.stringify(assessed.body));
  const unit = await t.ctx.db.selectFrom('unit').select('id').where('name', '=', '镜湖区城市管理局').executeTakeFirstOrThrow();
  const stale = await api('supervisor', 'POST', `/api/risk/warnings/${spike.id}/dispatch`, { version: 1, unitId: unit.id, instructions: '开展占道经营专项整治' });
  assert.equal(stale.status, 409, 'a stale page creates no work order');
  assert.equal((await t.ctx.db.selectFrom('work_order').select('id').where('unit_id', '=', unit.id).execute()).length, 0);
  const problemsBefore = await t.ctx.db.selectFrom('problem').select('id').execute();
  const nowhere = await api('supervisor', 'POST', `/api/risk/warnings/${spike.id}/dispatch`, { version: assessed.body.version, unitId: 999_999, instructions: '开展占道经营专项整治' });
  assert.equal(nowhere.status, 400, JSON.stringify(nowhere.body));
  const back = (await api('supervisor', 'GET', `/api/risk/warnings/${spike.id}`)).body;
  assert.equal(back.state, 'assessed', 'a dispatch to no unit changes nothing');
  assert.equal(back.work_order_id, null);
  assert.equal((await t.ctx.db.selectFrom('problem').select('id').execute()).length, problemsBefore.length, 'and makes no problem');
  // two supervisors dispatch at the same moment: one wins, one work order
  const both = await Promise.all([0, 1].map(() => api('supervisor', 'POST', `/api/risk/warnings/${spike.id}/dispatch`, { version: back.version, unitId: unit.id, instructions: '开展占道经营专项整治，十个工作日内报送结果' })));
  assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], JSON.stringify(both.map((r) => r.body)));
  assert.equal((await t.ctx.db.selectFrom('work_order').select('id').where('unit_id', '=', unit.id).execute()).length, 1);
  assert.equal((await t.ctx.db.selectFrom('problem').select('id').execute()).length, problemsBefore.length + 1, 'the refused dispatcher made nothing');
  const w = (await api('supervisor', 'GET', `/api/risk/warnings/${spike.id}`)).body;
  assert.equal(w.state, 'dispatched');
  // the problem it made is the unit's work, not one more report: flagged, and left out of the day's figures
  const made = await t.ctx.db.selectFrom('problem').select(['flags', 'reported_at']).where('id', '=', w.problem_id).executeTakeFirstOrThrow();
  assert.ok(made.flags.includes('from_warning'), made.flags.join());
  await analytics.refresh();
  const dayFigures = await sql<{ counted: number; reports: number; all: number }>`
    select (select coalesce(sum(n), 0)::int from stat_problem_day where dim = 'status' and day = zhd_city_day(${made.reported_at})) as counted,
           (select count(*)::int from problem where zhd_city_day(reported_at) = zhd_city_day(${made.reported_at}) and not 'from_warning' = any(flags)) as reports,
           (select count(*)::int from problem where zhd_city_day(reported_at) = zhd_city_day(${made.reported_at})) as all`.execute(t.ctx.db);
  const f = dayFigures.rows[0]!;
  assert.deepEqual([f.counted, f.all], [f.reports, f.reports + 1]);
  const { problemsRepo } = await import('../problems/repo.ts');
  const topicDocs = await problemsRepo.topicDocs(t.ctx.db, { from: new Date(made.reported_at.getTime() - 60_000), to: new Date(made.reported_at.getTime() + 60_000), regionPrefixes: 'all', limit: 100 });
  assert.ok(!topicDocs.some((d) => d.id === w.problem_id), 'nor is it a hot topic');
  const order = await t.ctx.db.selectFrom('work_order').select(['unit_id', 'state', 'deadline']).where('id', '=', w.work_order_id).executeTakeFirstOrThrow();
  assert.deepEqual([order.unit_id, order.state], [unit.id, 'pending_sign']);
  const unitList = await api('cgjHandler', 'GET', '/api/risk/warnings');
  assert.ok(unitList.body.rows.some((x: { id: number }) => x.id === spike.id), 'the unit given the work order sees the warning');
  // the unit handles the work order through the whole loop: sign, reply, review, follow-up → 已办结
  const step = async (who: string, path: string, payload: object) => {
    const current = (await api(who, 'GET', `/api/work-orders/${w.work_order_id}`)).body.order;
    const r = await api(who, 'POST', `/api/work-orders/${w.work_order_id}/${path}`, { version: current.version, ...payload });
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body.order;
  };
  await step('cgjHandler', 'sign', {});
  await step('cgjHandler', 'reply', { content: '已在镜湖区开展占道经营专项整治，清理占道摊点 37 处，设置疏导点两处，并建立每日巡查制度。', measures: '专项整治、每日巡查', basis: '《城市市容和环境卫生管理条例》', result: '占道经营明显减少' });
  await step('supervisor', 'review', { accepted: true });
  const closed = await step('supervisor', 'follow-up', { satisfaction: 'satisfied', comment: '整治效果明显' });
  assert.equal(closed.state, 'closed');
  const short = await api('supervisor', 'POST', `/api/risk/warnings/${spike.id}/resolve`, { version: w.version, reason: '好' });
  assert.equal(short.status, 400);
  const resolved = await api('supervisor', 'POST', `/api/risk/warnings/${spike.id}/resolve`, { version: w.version, reason: '交办工单已办结，群众满意，专项整治后占道经营明显减少' });
  assert.equal(resolved.status, 200);
  const events = (await api('supervisor', 'GET', `/api/risk/warnings/${spike.id}`)).body.events.map((e: { kind: string }) => e.kind);
  assert.deepEqual(events, ['raise', 'assess', 'dispatch', 'resolve']);
  // the signal is still high today, but a closed warning is not raised again within the cooling days
  await risk.detect(today);
  assert.ok(!(await openWarnings()).some((x) => x.rule_code === 'volume_spike' && x.scope_key === 'urban_mgmt|340202'));
});

test('a dispatch whose work order cannot be made leaves nothing behind: the warning as it was, no problem, no order', async () => {
  const shop = (await openWarnings()).find((w) => w.rule_code === 'target_repeat')!;
  const principal = await createAuthService(t.ctx).authenticateSession(cookie.supervisor!.slice('zhd_session='.length));
  assert.ok(principal);
  const workOrders = createWorkOrdersService(t.ctx);
  const count = async (table: 'problem' | 'work_order' | 'raw_record') => Number((await t.ctx.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const before = { problems: await count('problem'), orders: await count('work_order'), records: await count('raw_record') };
  // the order fails after the problem was made, inside the same transaction
  const failing = createRiskService(t.ctx, {
    problems: createProblemsService(t.ctx),
    workOrders: { ...workOrders, dispatchWithin: async (tx, ...rest) => { await workOrders.dispatchWithin(tx, ...rest); throw new Error('数据库连接中断'); } },
  });
  const unit = await t.ctx.db.selectFrom('unit').select('id').where('name', '=', '镜湖区城市管理局').executeTakeFirstOrThrow();
  await assert.rejects(failing.dispatch({ principal, ip: null }, shop.id, shop.version, { unitId: unit.id, instructions: '核查该店' }), /数据库连接中断/);
  const after = (await api('supervisor', 'GET', `/api/risk/warnings/${shop.id}`)).body;
  assert.equal(after.state, shop.state);
  assert.equal(after.work_order_id, null);
  assert.equal(after.version, shop.version, 'nothing was kept, not even the claim');
  assert.ok(!after.events.some((e: { kind: string }) => e.kind === 'dispatch'));
  assert.deepEqual({ problems: await count('problem'), orders: await count('work_order'), records: await count('raw_record') }, before);

  // a unit that does not exist is refused inside the same transaction: 400 naming the field, nothing kept either
  const nowhere = await api('supervisor', 'POST', `/api/risk/warnings/${shop.id}/dispatch`, { version: shop.version, unitId: 999_999, instructions: '核查该店' });
  assert.equal(nowhere.status, 400, JSON.stringify(nowhere.body));
  assert.match(JSON.stringify(nowhere.body), /unitId/);
  assert.equal((await api('supervisor', 'GET', `/api/risk/warnings/${shop.id}`)).body.version, shop.version);
  assert.deepEqual({ problems: await count('problem'), orders: await count('work_order'), records: await count('raw_record') }, before);
});

test('scores show every signal\'s points; the domain page suggests actions; a rule edit is a new version; the backtest replays the rule', async () => {
  await analytics.refresh();
  const overview = (await api('leader', 'GET', '/api/risk/overview')).body;
  const cgj = overview.units.find((u: { unit_name: string }) => u.unit_name === '镜湖区城市管理局');
  assert.ok(cgj, 'a unit with one work order and no signal still has its score');
  assert.equal(cgj.figures.dispatched, 1);
  assert.deepEqual(cgj.contributions.map((c: { key: string }) => c.key), ['misconduct', 'overdue_rate', 'unsatisfied_rate', 'redo', 'lost_cases']);
  const urban = overview.domains.find((d: { code: string }) => d.code === 'urban_mgmt');
  const sum = urban.contributions.reduce((a: number, c: { points: number }) => a + c.points, 0);
  assert.ok(Math.abs(sum - urban.score) < 0.2, `${sum} vs ${urban.score}`);
  assert.ok(urban.contributions.find((c: { key: string }) => c.key === 'volume').value > 0.5, 'the spike counts');
  assert.ok(urban.score > overview.domains.find((d: { code: string }) => d.code === 'food_drug').score);
  assert.equal(overview.regions[0].name, '镜湖区');
  // every open warning counts in the total, a unit's or the city's as well as a region's
  const open = await t.ctx.db.selectFrom('warning').select((eb) => eb.fn.countAll<number>().as('n')).where('state', 'in', ['new', 'assessed', 'dispatched']).executeTakeFirstOrThrow();
  assert.equal(overview.openTotal, Number(open.n));
  const noRegion = await t.ctx.db.selectFrom('warning').select((eb) => eb.fn.countAll<number>().as('n')).where('state', 'in', ['new', 'assessed', 'dispatched']).where('region_code', 'is', null).executeTakeFirstOrThrow();
  assert.equal(overview.openWithoutRegion, Number(noRegion.n));

  const page = (await api('leader', 'GET', '/api/risk/domains/urban_mgmt')).body;
  assert.equal(page.topRegions[0].name, '镜湖区');
  assert.ok(page.summary.suggestions.some((s: { action: string }) => s.action === '专项整治'), JSON.stringify(page.summary));
  assert.ok(page.trend.length >= 60);

  const admin = await login(t.app, 'admin', DEMO_PASSWORD);
  const bad = await t.app.inject({ method: 'PUT', url: '/api/risk/rules/volume_spike', headers: { cookie: admin }, payload: { params: { windowDays: 0, baselineDays: 56, minCount: 5 }, active: true } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /windowDays/);
  const edited = await t.app.inject({ method: 'PUT', url: '/api/risk/rules/volume_spike', headers: { cookie: admin }, payload: { params: { windowDays: 3, baselineDays: 56, minCount: 30 }, active: true, note: '大区提高起报件数' } });
  assert.equal(edited.statusCode, 200, edited.body);
  assert.equal(edited.json().version, 2);
  const history = (await api('leader', 'GET', '/api/risk/rules/volume_spike/history')).body.versions;
  assert.deepEqual(history.map((v: { version: number }) => v.version), [2, 1]);

  const replay = (await api('leader', 'POST', '/api/risk/rules/volume_spike/backtest', { months: 3 })).body;
  assert.deepEqual(replay.warnings.map((w: { scopeKey: string }) => w.scopeKey), ['urban_mgmt|340202'], 'one event, one warning');
  const stricter = (await api('leader', 'POST', '/api/risk/rules/volume_spike/backtest', { months: 3, params: { windowDays: 3, baselineDays: 56, minCount: 100 } })).body;
  assert.equal(stricter.warnings.length, 0, 'with 100 as the minimum it would have said nothing');
});

test('a target complained about from several districts gets a city-wide warning, not the first district\'s', async () => {
  for (let i = 0; i < 6; i++) await reportedOn(daysAgo(i), 1, { target: 'shop-spread', region: i % 2 ? '340207' : '340202', domain: 'eco_env' });
  await analytics.refresh();
  await risk.detect(today);
  const w = (await openWarnings()).find((x) => x.target_key === 'shop-spread');
  assert.ok(w, 'target warning');
  assert.equal(w.region_code, null);
  const single = (await openWarnings()).find((x) => x.target_key === 'shop-haozailai');
  assert.equal(single?.region_code, '340207', 'one district: its own');
});
