import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import JSZip from 'jszip';
import { sql } from 'kysely';
import { createTestApp, login, type TestApp } from '../../../test/helpers.ts';
import { makeUser } from '../../../test/factories.ts';
import { cityDay } from '../../lib/calendar.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { createProblemsService } from '../problems/service.ts';
import { seedDemoCity } from '../seed/service.ts';
import { DEMO_PASSWORD } from '../seed/wuhu.ts';
import { splitRange } from './repo.ts';
import { createAnalyticsService } from './service.ts';
import { createReportsService } from '../reports/service.ts';

let t: TestApp;
const cookie: Record<string, string> = {};
const thisMonth = cityDay(new Date()).slice(0, 7);

async function api(who: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const r = await t.app.inject({ method, url, headers: { cookie: cookie[who]! }, ...(payload ? { payload } : {}) });
  return { status: r.statusCode, body: r.headers['content-type']?.toString().includes('json') ? r.json() : r.rawPayload };
}
async function ok(who: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const r = await api(who, method, url, payload);
  assert.ok(r.status < 300, `${url}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A report through the public form, then moved to the day it is said to have come in. */
async function reported(o: { region: string; at: string; content?: string }) {
  const created = await createProblemsService(t.ctx).submitForm('web_form', { title: '测试反映', content: o.content ?? `${o.region}某商户占道经营，影响通行，请求处理。`, region: o.region, kind: '投诉' }, SYSTEM_ACTOR);
  await t.ctx.db.updateTable('problem').set({ reported_at: new Date(o.at) }).where('id', '=', created.id).execute();
  return created.id;
}

const figure = (list: { name: string; n: number }[], name: string) => list.find((x) => x.name === name)?.n ?? 0;

before(async () => {
  t = await createTestApp();
  await seedDemoCity(t.ctx);
  for (const who of ['supervisor', 'dispatcher', 'handler', 'leader', 'admin']) cookie[who] = await login(t.app, who, DEMO_PASSWORD);
  const district = await t.ctx.db.selectFrom('unit').select(['id']).where('region_code', '=', '340207').where('kind', '=', 'government').executeTakeFirstOrThrow();
  const jjLeader = await makeUser(t.ctx, { unit: district, roles: [['leader', district]] });
  cookie.jjLeader = await login(t.app, jjLeader.username, jjLeader.password);
  // October 2026: two in 鸠江区 (one just before midnight city time), one in 镜湖区; September: one; October 2025: one
  await reported({ region: '鸠江区', at: '2026-10-05T10:00:00+08:00' });
  await reported({ region: '鸠江区', at: '2026-10-31T23:59:00+08:00' });
  await reported({ region: '镜湖区', at: '2026-10-20T09:00:00+08:00' });
  await reported({ region: '镜湖区', at: '2026-09-10T09:00:00+08:00' });
  await reported({ region: '弋江区', at: '2025-10-10T09:00:00+08:00' });
  await reported({ region: '弋江区', at: '2026-11-01T00:00:01+08:00' });
});
after(() => t.close());

test('the dashboard counts a period by city days, against the previous period and the same period last year', async () => {
  const d = await ok('supervisor', 'GET', '/api/analytics/dashboard?period=2026-10');
  assert.deepEqual(d.range, { from: '2026-10-01', to: '2026-10-31' });
  assert.equal(d.totals.problems, 3);
  assert.equal(d.totals.previous, 1, 'September');
  assert.equal(d.totals.lastYear, 1, 'October 2025');
  assert.equal(figure(d.byRegion, '鸠江区'), 2);
  assert.equal(figure(d.byRegion, '镜湖区'), 1);
  assert.equal(figure(d.byChannel, '公众反映表单'), 3, JSON.stringify(d.byChannel));
  assert.equal(d.trend.unit, 'day');
  assert.equal(d.trend.points.find((p: { bucket: string }) => p.bucket === '2026-10-31')?.n, 1);
  const year = await ok('supervisor', 'GET', '/api/analytics/dashboard?from=2025-01-01&to=2026-12-31');
  assert.equal(year.trend.unit, 'month');
  assert.equal(year.totals.problems, 6);
  const bad = await api('supervisor', 'GET', '/api/analytics/dashboard?from=2026-10-31&to=2026-10-01');
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /结束日期不能早于开始日期/);
});

test('the rollups stay correct as problems change: a new report, a reclassification, a merge', async () => {
  const before = await ok('supervisor', 'GET', '/api/analytics/dashboard?period=2026-10');
  const id = await reported({ region: '镜湖区', at: '2026-10-21T09:00:00+08:00' });
  await t.ctx.db.updateTable('problem').set({ domain_code: 'urban_mgmt' }).where('id', '=', id).execute();
  const after1 = await ok('supervisor', 'GET', '/api/analytics/dashboard?period=2026-10');
  assert.equal(after1.totals.problems, before.totals.problems + 1);
  assert.equal(figure(after1.byDomain, '城市管理'), figure(before.byDomain, '城市管理') + 1, JSON.stringify(after1.byDomain));
  await t.ctx.db.updateTable('problem').set({ status: 'merged' }).where('id', '=', id).execute();
  const after2 = await ok('supervisor', 'GET', '/api/analytics/dashboard?period=2026-10');
  assert.equal(after2.totals.problems, before.totals.problems, 'a merged duplicate is not counted twice');
  const dirty = await sql<{ n: number }>`select count(*)::int as n from stat_dirty_day`.execute(t.ctx.db);
  assert.equal(dirty.rows[0]!.n, 0, 'the dashboard brought the rollups up to date');
});

test('work-order figures equal the live unit KPIs for the same period; the ranking shows its formulas', async () => {
  const units = await ok('admin', 'GET', '/api/units');
  const scjg = (units.rows ?? units).find((u: { name: string }) => u.name === '芜湖市市场监督管理局');
  const problemId = await reported({ region: '鸠江区', at: new Date().toISOString(), content: '鸠江区某超市销售过期食品，要求查处。' });
  const { order } = await ok('dispatcher', 'POST', `/api/problems/${problemId}/dispatch`, { unitId: scjg.id });
  const signed = await ok('handler', 'POST', `/api/work-orders/${order.id}/sign`, { version: order.version });
  const replied = await ok('handler', 'POST', `/api/work-orders/${order.id}/reply`, { version: signed.order.version, content: '经查，该超市确有过期食品，已责令下架并立案查处。', measures: '现场检查', basis: '《食品安全法》', result: '已下架' });
  const reviewed = await ok('supervisor', 'POST', `/api/work-orders/${order.id}/review`, { version: replied.order.version, accepted: true });
  await ok('supervisor', 'POST', `/api/work-orders/${order.id}/follow-up`, { version: reviewed.order.version, satisfaction: 'unsatisfied', comment: '没有解决' });

  const ranking = await ok('supervisor', 'GET', `/api/analytics/units?period=${thisMonth}`);
  const live = await ok('supervisor', 'GET', `/api/kpi/units?period=${thisMonth}`);
  const mine = ranking.units.find((u: { unit_id: number }) => u.unit_id === scjg.id);
  const liveMine = live.units.find((u: { unit_id: number }) => u.unit_id === scjg.id);
  for (const k of ['dispatched', 'signed_on_time', 'rated', 'satisfied', 'redone', 'sign_on_time_rate', 'satisfaction_rate']) assert.equal(mine[k], liveMine[k], k);
  assert.equal(mine.unsatisfied, 1);
  assert.equal(mine.satisfaction_rate, 0);
  assert.equal(mine.rank, ranking.units.length, 'an unsatisfied citizen puts the unit last');
  assert.match(ranking.definitions.score.formula, /按时办结率 × 40.*超期数 ÷ 派发数 × 20/);
  // the score is computed as its formula says, overdue orders included
  for (const u of ranking.units as { score: number; sign_on_time_rate: number | null; close_on_time_rate: number | null; satisfaction_rate: number | null; redo_rate: number | null; overdue: number; dispatched: number }[]) {
    const expected = Math.max(0, (u.sign_on_time_rate ?? 1) * 20 + (u.close_on_time_rate ?? 1) * 40 + (u.satisfaction_rate ?? 1) * 40 - Math.min(1, u.redo_rate ?? 0) * 20 - Math.min(1, u.overdue / Math.max(1, u.dispatched)) * 20);
    assert.equal(u.score, Math.round(expected * 10) / 10);
  }
  const dash = await ok('supervisor', 'GET', `/api/analytics/dashboard?period=${thisMonth}`);
  assert.equal(dash.totals.dispatched, 1);
  assert.equal(dash.totals.unsatisfied, 1);
});

test('who sees what: a district leader sees the district, a handler no dashboard, reports are city-wide', async () => {
  const jj = await ok('jjLeader', 'GET', '/api/analytics/dashboard?period=2026-10');
  assert.equal(jj.totals.problems, 2);
  assert.deepEqual(jj.byRegion.map((r: { name: string }) => r.name), ['鸠江区']);
  assert.equal((await api('handler', 'GET', '/api/analytics/dashboard')).status, 403);
  assert.equal((await api('jjLeader', 'POST', '/api/reports', { period: '2026-10' })).status, 403);
  const list = await ok('jjLeader', 'GET', '/api/reports');
  assert.deepEqual([list.rows.length, list.notice], [0, '分析报告为全市报告，仅限市级“查看分析报告”权限的人员生成和下载']);
});

test('the October report is a Word document whose figures equal the dashboard\'s, with charts, listed and downloadable', async () => {
  const bad = await api('leader', 'POST', '/api/reports', { period: '2026-13' });
  assert.equal(bad.status, 400);
  const r = await ok('leader', 'POST', '/api/reports', { period: '2026-10' });
  assert.equal(r.title, '芜湖市行政执法监督2026年10月分析报告');
  const d = await ok('leader', 'GET', '/api/analytics/dashboard?period=2026-10');
  assert.equal(r.summary.problems, d.totals.problems);
  assert.deepEqual(r.summary.byRegion, d.byRegion.map((x: { name: string; n: number }) => ({ name: x.name, n: x.n })));
  assert.deepEqual(r.summary.byDomain, d.byDomain.map((x: { name: string; n: number }) => ({ name: x.name, n: x.n })));
  assert.equal(r.summary.previous, d.totals.previous);

  const list = await ok('leader', 'GET', '/api/reports');
  assert.equal(list.rows[0].id, r.id);
  const file = await api('leader', 'GET', `/api/reports/${r.id}/docx`);
  assert.equal(file.status, 200);
  const zip = await JSZip.loadAsync(file.body as Buffer);
  const xml = await zip.file('word/document.xml')!.async('string');
  for (const text of ['一、', '（一）', '总体情况', `共汇集各渠道反映问题 ${d.totals.problems} 件`, '鸠江区', '按时办结率']) assert.ok(xml.includes(text), text);
  const media = Object.keys(zip.files).filter((f) => f.startsWith('word/media/'));
  assert.ok(media.length >= 3, `charts: ${media.join(',')}`);
  for (const m of media) assert.ok((await zip.file(m)!.async('nodebuffer')).length > 5_000, `${m} is a real picture`);
  const xlsx = await api('leader', 'GET', `/api/reports/${r.id}/xlsx`);
  assert.equal(xlsx.status, 200);
  const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('action', 'in', ['report.generate', 'report.download']).execute();
  assert.equal(audit.length, 3);
});

test("a report's examples quote citizens' numbers masked, and a 保密 report's not at all, not even cut short", async () => {
  const problems = createProblemsService(t.ctx);
  const example = async (o: { title: string; content: string; confidential?: boolean; at: string }) => {
    const { id } = await problems.submitForm('web_form', { title: o.title, content: o.content, region: '镜湖区', kind: '投诉', confidential: o.confidential }, SYSTEM_ACTOR);
    await t.ctx.db.updateTable('problem').set({ reported_at: new Date(o.at), misconduct: ['态度粗暴'] }).where('id', '=', id).execute();
  };
  await example({ title: '执法人员态度粗暴', content: '城管执法人员当场辱骂摊主，请回电139 5530 7777核实。', at: '2026-08-03T10:00:00+08:00' });
  await example({ title: '举报人电话13955305555', content: '我要举报执法人员辱骂群众，电话（0553）3845566或+86 139-5530-6666，请替我保密。', confidential: true, at: '2026-08-04T10:00:00+08:00' });
  // a number across the excerpt's end: cut first, it would no longer be recognised as one
  await example({ title: '执法人员辱骂摊主', content: `${'镜湖区某市场执法人员辱骂摊主，'.repeat(4).slice(0, 50)}电话13955304444，请处理。`, at: '2026-08-05T10:00:00+08:00' });
  const reports = createReportsService(t.ctx, { analytics: createAnalyticsService(t.ctx, problems), problems });
  const zip = await JSZip.loadAsync((await reports.generate(SYSTEM_ACTOR, '2026-08')).docx);
  const text = (await zip.file('word/document.xml')!.async('string')).replace(/<[^>]+>/g, '');
  assert.ok(text.includes('城管执法人员当场辱骂摊主，请回电139****7777核实。'), text);
  assert.ok(text.includes('举报人电话（号码已隐去）：我要举报执法人员辱骂群众，电话（号码已隐去）或（号码已隐去），请替我保密。'), text);
  assert.ok(!/5530|3845/.test(text), text.match(/.{20}(5530|3845).{20}/)?.[0]);
});

test('a long range reads whole months from the month rollups and only its partial months day by day', () => {
  assert.deepEqual(splitRange({ from: '2026-10-01', to: '2026-10-31' }), { days: [], months: { from: '2026-10-01', to: '2026-10-01' } });
  assert.deepEqual(splitRange({ from: '2026-10-05', to: '2026-10-20' }), { days: [{ from: '2026-10-05', to: '2026-10-20' }], months: null });
  assert.deepEqual(splitRange({ from: '2025-11-26', to: '2026-11-25' }), {
    days: [{ from: '2025-11-26', to: '2025-11-30' }, { from: '2026-11-01', to: '2026-11-25' }],
    months: { from: '2025-12-01', to: '2026-10-01' },
  });
  assert.deepEqual(splitRange({ from: '2026-01-15', to: '2026-02-28' }), { days: [{ from: '2026-01-15', to: '2026-01-31' }], months: { from: '2026-02-01', to: '2026-02-01' } });
});

test('the scheduler makes last month\'s report on the first working day of a month, once', async () => {
  const problems = createProblemsService(t.ctx);
  const reports = createReportsService(t.ctx, { analytics: createAnalyticsService(t.ctx, problems), problems });
  assert.equal(await reports.monthlyIfDue(new Date('2026-12-02T07:00:00+08:00')), null, 'the 2nd is not the first working day');
  const made = await reports.monthlyIfDue(new Date('2026-12-01T06:30:00+08:00'));
  assert.equal(made?.period, '2026-11');
  assert.equal(await reports.monthlyIfDue(new Date('2026-12-01T07:30:00+08:00')), null, 'not twice');
  // 2026-11-01 is a Sunday: the first working day of November is Monday the 2nd, and October's report already exists
  assert.equal(await reports.monthlyIfDue(new Date('2026-11-02T06:30:00+08:00')), null);
});

test('综合得分: a unit whose orders went overdue ranks below one that answered on time, even with nothing closed', async () => {
  const { rankUnits } = await import('./service.ts');
  const cube = (unit_id: number, o: Partial<import('./repo.ts').OrderCube>) => ({ unit_id, dispatched: 0, signed_on_time: 0, closed: 0, closed_on_time: 0, rated: 0, satisfied: 0, unsatisfied: 0, redone: 0, overdue: 0, awaiting_sign: 0, ...o });
  const ranked = rankUnits([
    cube(1, { dispatched: 2, signed_on_time: 2, overdue: 28 }),
    cube(2, { dispatched: 10, signed_on_time: 10, closed: 8, closed_on_time: 7, rated: 6, satisfied: 5 }),
  ], new Map([[1, '甲局'], [2, '乙局']]));
  assert.deepEqual(ranked.map((u) => u.unit_name), ['乙局', '甲局']);
  assert.equal(ranked.find((u) => u.unit_id === 1)!.score, 80, '100 − 20 for orders gone overdue');
});
