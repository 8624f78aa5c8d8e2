import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import ExcelJS from 'exceljs';
import fs from 'node:fs';
import path from 'node:path';
import { createTestApp, login, REPO_ROOT, type TestApp } from '../../../test/helpers.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { problemsRepo } from '../problems/repo.ts';
import { createProblemsService, mergeProblems } from '../problems/service.ts';
import { seedDemoCity } from '../seed/service.ts';
import { DEMO_PASSWORD } from '../seed/wuhu.ts';
import { createSearchService } from './service.ts';
import { sql } from 'kysely';
import { COUNT_CAP, searchRepo } from './repo.ts';
import { tsvectorOf } from './tokens.ts';

let t: TestApp;
let indexer: ReturnType<typeof createSearchService>;
const cookie: Record<string, string> = {};
const ids: Record<string, number> = {};
const codes: Record<string, string> = {};

/** Hand-written reports: who would search for what, and what they must not get. */
const REPORTS = {
  fine: { title: '城管队员乱罚款', content: '我在鸠江区湾里街道路口摆摊，城管执法人员乱罚款，也没有出示执法证件。', region: '鸠江区', contactName: '王小明', contactPhone: '13912345678' },
  ticket: { title: '罚单金额有误', content: '镜湖区交警开具的罚单金额与现场告知的不一致，要求核实更正。', region: '镜湖区', contactName: '李华', contactPhone: '13800001111' },
  smoke: { title: '餐馆油烟扰民', content: '弋江区白马街道一家餐馆油烟直排，严重影响楼上居民生活，请有关部门处理。', region: '弋江区', contactName: '赵六', contactPhone: '13700002222', confidential: true },
  stall: { title: '夜市占道经营', content: '镜湖区某路段夜市占道经营，堵塞交通，噪音很大。', region: '镜湖区' },
};

async function search(who: string, filters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const r = await t.app.inject({ method: 'POST', url: '/api/search', headers: { cookie: cookie[who]! }, payload: { filters, ...extra } });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as { total: number; capped: boolean; rows: { id: number; title: string; titleHits: [number, number][]; snippet: { text: string; hits: [number, number][] }; snippetFrom: string; reporter: { name: string | null; phone: string | null } }[] };
}
const found = async (who: string, filters: Record<string, unknown>) => (await search(who, filters)).rows.map((r) => r.id).sort();
const only = (...keys: (keyof typeof REPORTS)[]) => keys.map((k) => ids[k]!).sort();

async function api(who: string, method: 'GET' | 'POST', url: string, payload?: object) {
  const r = await t.app.inject({ method, url, headers: { cookie: cookie[who]! }, ...(payload ? { payload } : {}) });
  assert.ok(r.statusCode < 300, `${url}: ${r.body}`);
  return r.json();
}

before(async () => {
  t = await createTestApp();
  await seedDemoCity(t.ctx);
  for (const who of ['admin', 'dispatcher', 'handler', 'jjadmin']) cookie[who] = await login(t.app, who, DEMO_PASSWORD);
  const problems = createProblemsService(t.ctx);
  indexer = createSearchService(t.ctx, problems);
  for (const [key, report] of Object.entries(REPORTS)) {
    const created = await problems.submitForm('web_form', { ...report, kind: '投诉' }, SYSTEM_ACTOR);
    ids[key] = created.id;
    codes[key] = created.trackingCode;
  }
  assert.ok((await indexer.indexPending()) >= 4);
});
after(() => t.close());

test('a word finds the reports that contain it as a word: 乱罚款 is not every 罚, 执法 finds 执法人员', async () => {
  assert.deepEqual(await found('admin', { q: '乱罚款' }), only('fine'));
  assert.deepEqual(await found('admin', { q: '罚款' }), only('fine'));
  assert.ok(!(await found('admin', { q: '罚' })).includes(ids.fine!), '罚 alone does not find 乱罚款');
  assert.deepEqual(await found('admin', { q: '执法' }), only('fine'));
  assert.deepEqual(await found('admin', { q: '罚单' }), only('ticket'));
});

test('words separated by spaces must all occur; a quoted phrase must occur as written; -word excludes', async () => {
  assert.deepEqual(await found('admin', { q: '餐馆 扰民' }), only('smoke'));
  assert.deepEqual(await found('admin', { q: '餐馆 罚款' }), []);
  assert.deepEqual(await found('admin', { q: '"油烟直排"' }), only('smoke'));
  assert.deepEqual(await found('admin', { q: '"直排油烟"' }), []);
  assert.deepEqual(await found('admin', { q: '镜湖区' }), only('ticket', 'stall'));
  assert.deepEqual(await found('admin', { q: '镜湖区 -夜市' }), only('ticket'));
  assert.deepEqual(await found('admin', { q: codes.stall }), only('stall'), 'a tracking code finds its report');
  assert.deepEqual(await found('admin', { q: codes.stall.toLowerCase() }), only('stall'), 'typed in lower case too');
  assert.deepEqual(await found('admin', { q: '，。！' }), [], 'punctuation alone finds nothing');
});

test('filters narrow the words: region, kind, time; matches are highlighted in the title and a snippet', async () => {
  assert.deepEqual(await found('admin', { q: '经营', region: '340202' }), only('stall'));
  assert.deepEqual(await found('admin', { region: '340209' }), only('smoke'));
  assert.deepEqual(await found('admin', { q: '罚单', from: new Date(Date.now() + 86_400_000).toISOString() }), []);
  assert.deepEqual(await found('admin', { q: '罚单', channel: 'hotline12345' }), []);
  const r = await search('admin', { q: '乱罚款' });
  const row = r.rows[0]!;
  assert.deepEqual(row.titleHits, [[4, 7]]);
  const [s, e] = row.snippet.hits[0]!;
  assert.equal(row.snippet.text.slice(s, e), '乱罚款');
  assert.ok(row.snippet.text.includes('路口摆摊，城管'), `shown as written, with its ，: ${row.snippet.text}`);
  const bad = await t.app.inject({ method: 'POST', url: '/api/search', headers: { cookie: cookie.admin! }, payload: { filters: { region: '镜湖' } } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /区域代码/);
});

test('a unit finds only what was dispatched to it, a district only its region; replies are searched too', async () => {
  assert.deepEqual(await found('handler', { q: '油烟' }), [], 'the market regulator was given nothing yet');
  const units = await api('admin', 'GET', '/api/units');
  const scjg = (units.rows ?? units).find((u: { name: string }) => u.name === '芜湖市市场监督管理局');
  const { order } = await api('dispatcher', 'POST', `/api/problems/${ids.smoke}/dispatch`, { unitId: scjg.id });
  assert.deepEqual(await found('handler', { q: '油烟' }), only('smoke'));
  assert.deepEqual(await found('handler', { q: '罚款' }), [], 'nor what went to others');
  assert.deepEqual(await found('jjadmin', {}), only('fine'), '鸠江区 sees its own region');

  const signed = await api('handler', 'POST', `/api/work-orders/${order.id}/sign`, { version: order.version });
  await api('handler', 'POST', `/api/work-orders/${order.id}/reply`, { version: signed.order.version, content: '经现场检查，该餐馆未安装油烟净化设施，已责令限期整改并安装净化器。', measures: '现场检查、责令整改', basis: '《大气污染防治法》第八十一条', result: '已安装油烟净化器' });
  assert.deepEqual(await found('admin', { q: '净化器' }), [], 'not before the index job has run');
  await indexer.indexPending();
  const r = await search('admin', { q: '净化器' });
  assert.deepEqual(r.rows.map((x) => x.id), [ids.smoke]);
  assert.equal(r.rows[0]!.snippetFrom, 'reply');
  assert.ok(r.rows[0]!.snippet.text.includes('净化器'));
  assert.deepEqual(r.rows[0]!.reporter, { name: '（保密）', phone: null }, 'a 保密 report never shows its reporter');
});

test('export writes the matches to XLSX with contacts masked, and is audited', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/api/search/export', headers: { cookie: cookie.admin! }, payload: { filters: { q: '镜湖区' } } });
  assert.equal(res.statusCode, 200, res.body);
  // named by the city's day (at 00:30 in Wuhu it is still the day before in UTC)
  const cityToday = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
  assert.equal(res.headers['content-disposition'], `attachment; filename*=UTF-8''${encodeURIComponent(`问题检索-${cityToday}.xlsx`)}`);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const sheet = book.worksheets[0]!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1);
  assert.deepEqual(header.slice(0, 3), ['查询码', '反映时间', '渠道']);
  const rows = sheet.getSheetValues().slice(2).filter(Boolean) as unknown[][];
  assert.equal(rows.length, 2);
  const phoneCol = header.indexOf('联系电话') + 1;
  const phones = rows.map((r) => r[phoneCol]);
  assert.ok(phones.includes('138****1111'), `masked: ${phones.join(',')}`);
  assert.ok(!JSON.stringify(rows).includes('13800001111'), 'no number in clear');
  // times are date cells showing the city's time; statuses as the pages name them
  const code = String(rows[0]![header.indexOf('查询码') + 1]); // shortened: the admin may not see contacts
  const first = await t.ctx.db.selectFrom('problem').select(['reported_at', 'status']).where('tracking_code', 'like', `${code.slice(0, 4)}%${code.slice(-2)}`).executeTakeFirstOrThrow();
  const at = rows[0]![header.indexOf('反映时间') + 1] as Date;
  assert.ok(at instanceof Date, String(at));
  assert.equal(at.getTime() - 8 * 3_600_000, first.reported_at.getTime());
  assert.equal(rows[0]![header.indexOf('状态') + 1], ({ new: '新收', triaged: '已分拣', dispatched: '已派发', replied: '已答复', closed: '已办结' } as Record<string, string>)[first.status]);
  const audit = await t.ctx.db.selectFrom('audit_log').select(['action', 'summary']).where('action', '=', 'search.export').execute();
  assert.equal(audit.length, 1);
  assert.equal((audit[0]!.summary as { rows: number }).rows, 2);
});

test('overdue, listed and escalated filters: ever, or only on orders still open (the dashboard\'s figures of now)', async () => {
  const order = await t.ctx.db.selectFrom('work_order').select(['id', 'state']).where('problem_id', '=', ids.smoke!).executeTakeFirstOrThrow();
  await t.ctx.db.updateTable('work_order').set({ overdue_at: new Date() }).where('id', '=', order.id).execute();
  assert.deepEqual(await found('admin', { overdue: true }), only('smoke'));
  assert.deepEqual(await found('admin', { overdue: true, openOnly: true }), only('smoke'));
  assert.deepEqual(await found('admin', { listed: true }), []);
  await t.ctx.db.updateTable('work_order').set({ state: 'closed', closed_at: new Date() }).where('id', '=', order.id).execute();
  assert.deepEqual(await found('admin', { overdue: true }), only('smoke'), 'it was overdue');
  assert.deepEqual(await found('admin', { overdue: true, openOnly: true }), [], 'but is no longer open');
});

test('the dashboard\'s 派发 and 办结 open the problems whose orders were dispatched or closed in the period', async () => {
  // the smoke report's order was dispatched today and closed by the test above
  const order = await t.ctx.db.selectFrom('work_order').select(['dispatched_at', 'closed_at']).where('problem_id', '=', ids.smoke!).executeTakeFirstOrThrow();
  const day = (at: Date, days: number) => new Date(at.getTime() + days * 86_400_000).toISOString();
  assert.deepEqual(await found('admin', { dispatchedFrom: day(order.dispatched_at, -1), dispatchedTo: day(order.dispatched_at, 1) }), only('smoke'));
  assert.deepEqual(await found('admin', { dispatchedFrom: day(order.dispatched_at, 1) }), [], 'not dispatched after');
  assert.deepEqual(await found('admin', { closedFrom: day(order.closed_at!, -1), closedTo: day(order.closed_at!, 1) }), only('smoke'));
  assert.deepEqual(await found('admin', { closedTo: day(order.closed_at!, -1) }), [], 'not closed before');
  // the 承办单位 filter takes a unit with the units under it
  const handling = await t.ctx.db.selectFrom('work_order').innerJoin('unit', 'unit.id', 'work_order.unit_id').select(['unit.id', 'unit.parent_id']).where('work_order.problem_id', '=', ids.smoke!).executeTakeFirstOrThrow();
  assert.ok((await found('admin', { unitId: handling.parent_id! })).includes(ids.smoke!), 'the parent unit\'s filter includes its departments');
  assert.ok((await found('admin', { unitId: handling.id })).includes(ids.smoke!));
  // 满意率's 不满意 opens the problems rated in the period, whenever they were reported
  const lead = await t.ctx.db.selectFrom('work_order').select(['id', 'unit_id']).where('problem_id', '=', ids.smoke!).executeTakeFirstOrThrow();
  const at = new Date();
  await t.ctx.db.insertInto('follow_up').values({ work_order_id: lead.id, problem_id: ids.smoke!, unit_id: lead.unit_id, satisfaction: 'unsatisfied', comment: '', method: 'phone', recorded_by: null, at }).execute();
  assert.deepEqual(await found('admin', { satisfaction: 'unsatisfied', ratedFrom: day(at, -1), ratedTo: day(at, 1) }), only('smoke'));
  assert.deepEqual(await found('admin', { satisfaction: 'unsatisfied', ratedFrom: day(at, 1) }), [], 'not rated after');
  await t.ctx.db.deleteFrom('follow_up').where('problem_id', '=', ids.smoke!).where('at', '=', at).execute();
  const bad = await t.app.inject({ method: 'POST', url: '/api/search', headers: { cookie: cookie.admin! }, payload: { filters: { closedFrom: '上个月' } } });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.body, /办结时间格式不正确/);
});

test('many matches: counted without ranking them all, the page is still the newest (by time) or the best of the newest (by relevance)', async () => {
  const tsv = tsvectorOf(['地下停车场积水严重']);
  const rare = tsvectorOf(['地下停车场积水严重，停车场排水泵坏了']);
  await sql`
    insert into problem (tracking_code, channel, title, body, reported_at, status, search_tsv, triaged_at)
    select 'MANY' || g, 'hotline12345', '地下停车场积水 ' || g, '地下停车场积水严重', now() - (g || ' hours')::interval, 'triaged',
           case when g = 500 then ${rare}::tsvector else ${tsv}::tsvector end, now()
    from generate_series(1, ${COUNT_CAP + 100}) as g`.execute(t.ctx.db);
  const byTime = await search('admin', { q: '停车场' });
  // beyond the cap of rows ranked here, and within reach of a bare count: exact, so the pager has no empty pages
  assert.deepEqual([byTime.capped, byTime.total], [false, COUNT_CAP + 100]);
  assert.deepEqual(byTime.rows.slice(0, 3).map((r) => r.title), ['地下停车场积水 1', '地下停车场积水 2', '地下停车场积水 3']);
  const byRank = await search('admin', { q: '停车场' }, { sort: 'relevance' });
  assert.equal(byRank.rows[0]!.title, '地下停车场积水 500', 'the one that says it twice, among the newest matches');
  await sql`delete from problem where tracking_code like 'MANY%'`.execute(t.ctx.db);
});

test('beyond the exact count the total is the planner\'s estimate: a number, on either database', async () => {
  const n = await searchRepo.estimate(t.ctx.db, { regionPrefixes: 'all', orderUnitIds: [] }, { tsquery: "'镜湖区'" });
  assert.ok(Number.isInteger(n) && n >= 1, String(n));
  // with statistics refreshed (after imports, after the demo seed) the estimate of all problems is close to the count
  await problemsRepo.refreshStatistics(t.ctx.db);
  const all = await searchRepo.estimate(t.ctx.db, { regionPrefixes: 'all', orderUnitIds: [] }, {});
  const { count } = await t.ctx.db.selectFrom('problem').select((eb) => eb.fn.countAll<number>().as('count')).where('status', '!=', 'merged').executeTakeFirstOrThrow();
  assert.ok(Math.abs(all - Number(count)) <= Math.max(5, Number(count) * 0.2), `estimate ${all}, count ${count}`);
});

test('a channel filter finds the problems that came through it, including a duplicate merged in from it', async () => {
  const problems = createProblemsService(t.ctx);
  const onSite = await problems.submitForm('staff', { title: '洗车店占道洗车', content: '镜湖区赭山街道一洗车店长期占用人行道洗车，污水横流，行人无法通行。', region: '镜湖区', kind: '投诉', unitName: '芜湖市司法局' }, SYSTEM_ACTOR);
  const online = await problems.submitForm('web_form', { title: '洗车店占用人行道', content: '赭山街道有家洗车店天天在人行道上洗车，污水流得到处都是，请管一管。', region: '镜湖区', kind: '投诉' }, SYSTEM_ACTOR);
  await indexer.indexPending();
  const washers = (channel: string) => found('admin', { q: '洗车', channel });
  assert.deepEqual(await washers('staff'), [onSite.id]);
  assert.deepEqual(await washers('web_form'), [online.id]);

  // the form's report is merged into the staff's: the staff's problem now came through both channels
  await t.ctx.db.transaction().execute((tx) => mergeProblems(tx, SYSTEM_ACTOR, { from: online.id, fromStatus: 'new', into: onSite.id, similarity: 0.8, reason: '同一洗车店' }));
  await indexer.indexPending();
  assert.deepEqual(await washers('web_form'), [onSite.id], 'found by the channel of its merged-in source');
  assert.deepEqual(await washers('staff'), [onSite.id]);
  assert.deepEqual(await washers('hotline12345'), []);
  // the dashboard's 渠道分布 counts each problem once, by its first channel, and opens the search the same way
  assert.deepEqual(await found('admin', { q: '洗车', channel: 'web_form', firstChannel: true }), []);
  assert.deepEqual(await found('admin', { q: '洗车', channel: 'staff', firstChannel: true }), [onSite.id]);
  const listed = await api('admin', 'GET', '/api/problems?channel=web_form&q=洗车');
  assert.deepEqual(listed.rows.map((r: { id: number }) => r.id), [onSite.id], 'the problem list filters the same way');
});

test('after the index job rewrites many problems the estimate still matches the count (statistics refreshed)', async () => {
  await sql`
    insert into problem (tracking_code, channel, title, body, reported_at, status, triaged_at)
    select 'EST' || g, 'hotline12345', '路灯不亮 ' || g, '小区门口的路灯坏了很久没人修', now() - (g || ' minutes')::interval, 'triaged', now()
    from generate_series(1, 600) as g`.execute(t.ctx.db);
  await problemsRepo.refreshStatistics(t.ctx.db);
  const { jobHandlers } = await import('../../jobs.ts');
  const { createServices } = await import('../../app.ts');
  await jobHandlers(t.ctx, createServices(t.ctx))['search.index']!({});
  const all = await searchRepo.estimate(t.ctx.db, { regionPrefixes: 'all', orderUnitIds: [] }, {});
  const { count } = await t.ctx.db.selectFrom('problem').select((eb) => eb.fn.countAll<number>().as('count')).where('status', '!=', 'merged').executeTakeFirstOrThrow();
  assert.ok(Math.abs(all - Number(count)) <= Number(count) * 0.2, `estimate ${all}, count ${count}`);
  await sql`delete from problem where tracking_code like 'EST%'`.execute(t.ctx.db);
});

test('保密: a reply found by the search shows no number of the reporter, not even masked', async () => {
  const problems = createProblemsService(t.ctx);
  const created = await problems.submitForm('web_form', { title: '药店销售过期药品', content: '弋江区某药店销售过期药品，请市场监管部门查处。', region: '弋江区', contactName: '钱七', contactPhone: '13955307777', confidential: true, kind: '举报' }, SYSTEM_ACTOR);
  const units = await api('admin', 'GET', '/api/units');
  const scjg = (units.rows ?? units).find((u: { name: string }) => u.name === '芜湖市市场监督管理局');
  const { order } = await api('dispatcher', 'POST', `/api/problems/${created.id}/dispatch`, { unitId: scjg.id });
  const signed = await api('handler', 'POST', `/api/work-orders/${order.id}/sign`, { version: order.version });
  await api('handler', 'POST', `/api/work-orders/${order.id}/reply`, { version: signed.order.version, content: '已电话联系反映人 139 5530 7777 核实，该药店过期药品已全部下架，并立案查处。', measures: '现场检查、立案查处', basis: '《药品管理法》', result: '过期药品已下架' });
  await indexer.indexPending();
  const r = await search('handler', { q: '下架 核实' });
  const row = r.rows.find((x) => x.id === created.id)!;
  assert.equal(row.snippetFrom, 'reply');
  assert.ok(row.snippet.text.includes('号码已隐去') && !/7777|5530/.test(row.snippet.text), row.snippet.text);
});

test('hidden digits are never searchable: the index holds numbers as masked (left out when 保密); words, codes and highlights still work', async () => {
  const problems = createProblemsService(t.ctx);
  const open = await problems.submitForm('web_form', { title: '烧烤摊油烟扰民', content: '鸠江区某烧烤摊油烟直排，请回电139 5530 7701核实。', region: '鸠江区', kind: '投诉' }, SYSTEM_ACTOR);
  const secret = await problems.submitForm('web_form', { title: '工地夜间施工', content: '鸠江区某工地夜间施工扰民，我的电话13955307702，请保密。', region: '鸠江区', kind: '举报', confidential: true }, SYSTEM_ACTOR);
  await indexer.indexPending();
  for (const who of ['admin', 'dispatcher']) {
    assert.deepEqual((await search(who, { q: '7701 5530' })).rows.map((r) => r.id), [], who);
    assert.deepEqual((await search(who, { q: '13955307701' })).rows.map((r) => r.id), [], who);
    assert.deepEqual((await search(who, { q: '7702' })).rows.map((r) => r.id), [], 'a 保密 report: not even the visible ends');
  }
  const byEnds = await search('admin', { q: '139****7701' });
  assert.deepEqual(byEnds.rows.map((r) => r.id), [open.id], 'the masked form everyone reads still finds it');
  const byWord = await search('admin', { q: '油烟 核实' });
  const row = byWord.rows.find((r) => r.id === open.id)!;
  assert.ok(row.snippet.hits.length && row.snippet.text.includes('139****7701'), row.snippet.text);
  assert.deepEqual((await search('admin', { q: open.trackingCode.toLowerCase() })).rows.map((r) => r.id), [open.id]);
  assert.ok((await search('admin', { q: '工地 施工' })).rows.some((r) => r.id === secret.id));

  // an index built before (the digits in it) is rebuilt by the job the migration queues, row by row in place
  await sql`update problem set search_tsv = ${tsvectorOf(['请回电139 5530 7701核实'])}::tsvector where id = ${open.id}`.execute(t.ctx.db);
  assert.deepEqual((await search('admin', { q: '7701 5530' })).rows.map((r) => r.id), [open.id]);
  const migration = fs.readFileSync(path.join(REPO_ROOT, 'src/db/migrations/0031_search_masked_numbers.sql'), 'utf8');
  const queued = () => t.ctx.db.selectFrom('job').select(['kind', 'state']).where('unique_key', '=', 'migration-0031-search-reindex').execute();
  assert.deepEqual(await queued(), [], 'a new database (nothing indexed when it migrated) queues nothing');
  await sql.raw(migration).execute(t.ctx.db);
  await sql.raw(migration).execute(t.ctx.db);
  assert.deepEqual(await queued(), [{ kind: 'search.reindexAll', state: 'queued' }]);
  await t.ctx.db.deleteFrom('job').where('unique_key', '=', 'migration-0031-search-reindex').execute();
  const { jobHandlers } = await import('../../jobs.ts');
  const { createServices } = await import('../../app.ts');
  await jobHandlers(t.ctx, createServices(t.ctx))['search.reindexAll']!({});
  assert.deepEqual((await search('admin', { q: '7701 5530' })).rows.map((r) => r.id), []);
  assert.ok((await search('admin', { q: '油烟' })).rows.some((r) => r.id === open.id));
});

test('a phone number as the query finds that reporter\'s problems for those who may see contacts (audited, masked); for others it finds nothing', async () => {
  const problems = createProblemsService(t.ctx);
  const again = await problems.submitForm('web_form', { content: '鸠江区湾里街道路口的城管队员上周又来罚款，还是没有出示执法证件。', region: '鸠江区', contactPhone: '+86 139-1234-5678' }, SYSTEM_ACTOR);
  await indexer.indexPending();
  const searchPhone = async (who: string, q: string) => {
    const r = await t.app.inject({ method: 'POST', url: '/api/search', headers: { cookie: cookie[who]! }, payload: { filters: { q } } });
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as { total: number; phone: { masked: string; permitted: boolean } | null; rows: { id: number; reporter: { name: string | null; phone: string | null } }[] };
  };
  const before = await t.ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'search.reporter_phone').execute();

  // written as people write it; the dispatcher may see contacts
  const byDispatcher = await searchPhone('dispatcher', '139 1234 5678');
  assert.deepEqual(byDispatcher.phone, { masked: '139****5678', permitted: true });
  assert.deepEqual(byDispatcher.rows.map((r) => r.id).sort(), [ids.fine!, again.id].sort());
  assert.ok(byDispatcher.rows.every((r) => r.reporter.phone === '139****5678'), 'listed masked as always');
  // a 保密 reporter's problems are found too, and still listed without their contact
  const secret = await searchPhone('dispatcher', '13700002222');
  assert.deepEqual(secret.rows.map((r) => r.id), [ids.smoke!]);
  assert.equal(secret.rows[0]!.reporter.phone, null);

  const audits = await t.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'search.reporter_phone').execute();
  assert.equal(audits.length, before.length + 2, 'each phone look-up is audited');
  const written = JSON.stringify(audits);
  assert.ok(written.includes('139****5678') && !written.includes('13912345678') && !written.includes('1234 5678'), 'the audit names the number masked');

  // the leader reads every problem but may not see contacts: told so, and nothing found by the number
  cookie.leader ??= await login(t.app, 'leader', DEMO_PASSWORD);
  assert.ok((await found('leader', { q: '乱罚款' })).includes(ids.fine!), 'the leader can read the problem');
  const byLeader = await searchPhone('leader', '13912345678');
  assert.deepEqual(byLeader.phone, { masked: '139****5678', permitted: false });
  assert.equal(byLeader.total, 0);
  assert.equal((await t.ctx.db.selectFrom('audit_log').select('id').where('action', '=', 'search.reporter_phone').execute()).length, before.length + 2);
  // words are words: no phone look-up
  assert.equal((await searchPhone('dispatcher', '乱罚款')).phone, null);
  // a phone and words: that reporter's problems with those words (a label before the number is no word to look for)
  assert.deepEqual((await searchPhone('dispatcher', '13912345678 乱罚款')).rows.map((r) => r.id), [ids.fine!]);
  assert.deepEqual((await searchPhone('dispatcher', '电话：139-1234-5678 乱罚款')).rows.map((r) => r.id), [ids.fine!]);
  assert.deepEqual((await searchPhone('dispatcher', '13800001111 乱罚款')).rows.map((r) => r.id), [], 'another reporter wrote no such thing');
  const wordsByLeader = await searchPhone('leader', '13912345678 乱罚款');
  assert.deepEqual([wordsByLeader.phone, wordsByLeader.total], [{ masked: '139****5678', permitted: false }, 0]);
});

test('an export carries no number in clear and no whole tracking code, even for one who may see contacts on screen', async () => {
  const written = await createProblemsService(t.ctx).submitForm('web_form', { title: '棋牌室噪音', content: '鸠江区清水街道棋牌室通宵营业，老板电话13955312345，身份证340202198001011234。', region: '鸠江区' }, SYSTEM_ACTOR);
  await indexer.indexPending();
  const theirs = await t.app.inject({ method: 'POST', url: '/api/search/export', headers: { cookie: cookie.dispatcher! }, payload: { filters: { q: '棋牌室' } } });
  assert.equal(theirs.statusCode, 200, theirs.body);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(theirs.rawPayload as unknown as ArrayBuffer);
  const text = JSON.stringify(book.worksheets[0]!.getSheetValues());
  assert.ok(text.includes('棋牌室通宵营业'), text);
  for (const clear of ['13955312345', '340202198001011234', written.trackingCode]) assert.ok(!text.includes(clear), `${clear} in ${text}`);
});
