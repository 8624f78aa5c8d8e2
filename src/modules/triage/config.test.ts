import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { createServices } from '../../app.ts';
import { jobHandlers } from '../../jobs.ts';
import { segment } from '../../lib/text.ts';
import { createTestApp, login, type TestApp } from '../../../test/helpers.ts';
import { makeProblem } from '../../../test/factories.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { seedDemoCity } from '../seed/service.ts';
import { DEMO_PASSWORD } from '../seed/wuhu.ts';
import { syncUserDictionary } from './dictionary.ts';
import { createTriageService } from './service.ts';

// 分拣配置: the admin edits the label map, the keyword lexicon, the misconduct and exclusion terms, the user dictionary
// and the routing rules; each change is audited, refused by field when wrong, closed to non-admins, and counts from
// the next triage on.

let t: TestApp;
let admin: string;
let dispatcher: string;
before(async () => {
  t = await createTestApp();
  await seedDemoCity(t.ctx);
  admin = await login(t.app, 'admin', DEMO_PASSWORD);
  dispatcher = await login(t.app, 'dispatcher', DEMO_PASSWORD);
});
after(() => t.close());

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
const call = (method: Method, url: string, o: { body?: object; query?: Record<string, string>; cookie?: string } = {}) =>
  t.app.inject({ method, url: `/api${url}${o.query ? `?${new URLSearchParams(o.query)}` : ''}`, headers: { cookie: o.cookie ?? admin }, payload: o.body });

const lastAudit = async (action: string) =>
  t.ctx.db.selectFrom('audit_log').select(['action', 'target_type', 'target_id', 'summary', 'actor_label']).where('action', '=', action).orderBy('id', 'desc').executeTakeFirst();

/** A citizen's report through the public form, triaged by the same step as the background job; its stored result. */
async function triaged(title: string, content: string) {
  const p = await makeProblem(t.ctx, { title, content });
  await createTriageService(t.ctx).triagePending(100);
  return t.ctx.db.selectFrom('problem').select(['domain_code', 'misconduct', 'triage']).where('id', '=', p.id).executeTakeFirstOrThrow();
}

test('keyword lexicon: search and paging; a new term decides the next triage, a changed weight and a deletion too; all audited', async () => {
  const page = (await call('GET', '/triage/lexicon', { query: { target: 'domain', limit: '5' } })).json();
  assert.equal(page.rows.length, 5);
  assert.ok(page.total > 100, String(page.total));
  const found = (await call('GET', '/triage/lexicon', { query: { q: '占道' } })).json();
  assert.deepEqual(found.rows.map((r: { code: string; term: string }) => `${r.code}:${r.term}`), ['urban_mgmt:占道']);

  const text = ['楼下的共享单车', '楼下共享单车堆成小山，半年没人清理。'] as const;
  assert.equal((await triaged(...text)).domain_code, null, 'no term of the lexicon in it yet');

  const add = await call('POST', '/triage/lexicon', { body: { target: 'domain', code: 'urban_mgmt', term: '共享单车', weight: 2 } });
  assert.equal(add.statusCode, 200, add.body);
  const withTerm = await triaged(...text);
  assert.equal(withTerm.domain_code, 'urban_mgmt');
  assert.deepEqual(withTerm.triage!.domain!.evidence, ['共享单车']);
  const audit = await lastAudit('triage.lexicon.create');
  assert.deepEqual([audit?.target_type, audit?.target_id, audit?.actor_label], ['triage_lexicon', 'domain:urban_mgmt:共享单车', '张敏（admin）']);

  // the same term under another domain, weighed more, wins; lowering its weight gives the domain back
  assert.equal((await call('POST', '/triage/lexicon', { body: { target: 'domain', code: 'transport', term: '共享单车', weight: 3 } })).statusCode, 200);
  assert.equal((await triaged(...text)).domain_code, 'transport');
  const change = await call('PUT', '/triage/lexicon', { body: { target: 'domain', code: 'transport', term: '共享单车', weight: 0.5 } });
  assert.equal(change.statusCode, 200, change.body);
  assert.equal((await triaged(...text)).domain_code, 'urban_mgmt');
  assert.deepEqual((await lastAudit('triage.lexicon.update'))?.summary, { target: 'domain', code: 'transport', term: '共享单车', weight: 0.5, before: 3 });

  for (const code of ['transport', 'urban_mgmt']) {
    assert.equal((await call('DELETE', '/triage/lexicon', { query: { target: 'domain', code, term: '共享单车' } })).statusCode, 200);
  }
  assert.equal((await triaged(...text)).domain_code, null);
  assert.ok(await lastAudit('triage.lexicon.delete'));
  assert.equal((await call('DELETE', '/triage/lexicon', { query: { target: 'domain', code: 'urban_mgmt', term: '共享单车' } })).statusCode, 404);

  // bad input names the field; a duplicate is a conflict; a dispatcher can neither read nor change the lexicon
  const cases: [object, string][] = [
    [{ target: 'domain', code: 'nope', term: '单车' }, 'code'],
    [{ target: 'domain', code: 'urban_mgmt', term: '共享 单车' }, 'term'],
    [{ target: 'domain', code: 'urban_mgmt', term: '车' }, 'term'],
    [{ target: 'domain', code: 'urban_mgmt', term: '单车', weight: 100 }, 'weight'],
    [{ target: 'area', code: 'urban_mgmt', term: '单车' }, 'target'],
    [{ target: 'kind', code: 'urban_mgmt', term: '单车' }, 'code'],
  ];
  for (const [body, field] of cases) {
    const r = await call('POST', '/triage/lexicon', { body });
    assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
    assert.equal(r.json().details[0].field, field, r.body);
    assert.match(r.json().message, /[\u4e00-\u9fa5]/);
  }
  assert.equal((await call('POST', '/triage/lexicon', { body: { target: 'domain', code: 'urban_mgmt', term: '占道' } })).statusCode, 409);
  assert.equal((await call('GET', '/triage/lexicon', { cookie: dispatcher })).statusCode, 403);
  assert.equal((await call('POST', '/triage/lexicon', { body: { target: 'domain', code: 'urban_mgmt', term: '共享单车' }, cookie: dispatcher })).statusCode, 403);
  assert.equal((await call('DELETE', '/triage/lexicon', { query: { target: 'domain', code: 'urban_mgmt', term: '占道' }, cookie: dispatcher })).statusCode, 403);
});

test('misconduct and exclusion terms: a new term flags the next triage, deleting it stops; categories listed; audited', async () => {
  const list = (await call('GET', '/triage/misconduct-terms', { query: { limit: '10' } })).json();
  assert.equal(list.rows.length, 10);
  assert.equal(list.categories.length, 12);
  assert.ok(list.categories.some((c: { category: string; n: number }) => c.category === '未亮证' && c.n >= 5));
  const filtered = (await call('GET', '/triage/misconduct-terms', { query: { category: '乱罚款', q: '罚款' } })).json();
  assert.ok(filtered.rows.length >= 3 && filtered.rows.every((r: { category: string; term: string }) => r.category === '乱罚款' && r.term.includes('罚款')));

  const text = ['城管扣车', '城管把我的三轮车扣了，让交两百块才放车，交了钱也不给收据。'] as const;
  assert.deepEqual((await triaged(...text)).misconduct, []);
  const add = await call('POST', '/triage/misconduct-terms', { body: { category: '乱罚款', term: '不给收据' } });
  assert.equal(add.statusCode, 200, add.body);
  const flagged = await triaged(...text);
  assert.deepEqual(flagged.misconduct, ['乱罚款']);
  assert.deepEqual(flagged.triage!.misconduct, [{ category: '乱罚款', terms: ['不给收据'] }]);
  assert.deepEqual((await lastAudit('triage.misconduct.create'))?.summary, { category: '乱罚款', term: '不给收据' });
  assert.equal((await call('POST', '/triage/misconduct-terms', { body: { category: '乱罚款', term: '不给收据' } })).statusCode, 409);
  assert.equal((await call('DELETE', '/triage/misconduct-terms', { query: { category: '乱罚款', term: '不给收据' } })).statusCode, 200);
  assert.deepEqual((await triaged(...text)).misconduct, []);
  assert.ok(await lastAudit('triage.misconduct.delete'));

  // the exclusion lexicon works the same way: the next triage proposes redirecting the matter
  const appeal = ['劳动争议', '我和公司的劳动争议已经在劳动人事争议调解中心调解过了，请问下一步怎么办。'] as const;
  assert.equal((await triaged(...appeal)).triage!.exclusion, null);
  assert.equal((await call('POST', '/triage/exclusion-terms', { body: { category: '仲裁', term: '争议调解中心' } })).statusCode, 200);
  assert.deepEqual((await triaged(...appeal)).triage!.exclusion, { category: '仲裁', terms: ['争议调解中心'] });
  assert.ok(await lastAudit('triage.exclusion.create'));

  const bad = await call('POST', '/triage/misconduct-terms', { body: { category: '', term: '不给收据' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].field, 'category');
  assert.equal((await call('DELETE', '/triage/misconduct-terms', { query: { category: '乱罚款' } })).json().details[0].field, 'querystring.term');
  assert.equal((await call('GET', '/triage/misconduct-terms', { cookie: dispatcher })).statusCode, 403);
  assert.equal((await call('POST', '/triage/exclusion-terms', { body: { category: '仲裁', term: '调解' }, cookie: dispatcher })).statusCode, 403);
});

test('label map: labels of the active model without a mapping are listed; mapping one changes the next triage, changing and deleting it too', async () => {
  const initial = (await call('GET', '/triage/label-map')).json();
  assert.ok(initial.rows.some((r: { label: string; code: string; code_name: string }) => r.label === '环境保护' && r.code === 'eco_env' && r.code_name === '生态环境'));
  assert.deepEqual(initial.unmapped, []);
  assert.equal(initial.codes.domain.length, 11);
  assert.equal(initial.codes.kind.length, 6);

  // a history whose labels are partly the city's own: 劳动纠纷 has no mapping, so the model keeps it as it is
  const places = ['镜湖区', '弋江区', '鸠江区', '湾沚区', '繁昌区', '南陵县'];
  const templates: Record<string, string[]> = {
    环境保护: ['{p}工厂夜里排放刺鼻废气', '{p}河道被倾倒垃圾发黑发臭', '{p}烧烤店油烟直排扰民', '{p}工地夜间施工噪音很大'],
    劳动纠纷: ['{p}公司拖欠工人三个月工资', '{p}老板不签劳动合同也不交社保', '{p}工厂加班不给加班费', '{p}农民工工资被包工头拖欠'],
  };
  const docs = Object.entries(templates).flatMap(([label, ts]) => places.flatMap((p) => ts.map((s) => ({ text: s.replace('{p}', p), label }))));
  await createTriageService(t.ctx).train(SYSTEM_ACTOR, docs, { target: 'domain', sources: ['test'] });
  const listed = (await call('GET', '/triage/label-map')).json();
  assert.deepEqual(listed.unmapped, [{ target: 'domain', label: '劳动纠纷', in_model: true, examples: 24 }]);
  assert.deepEqual(listed.models, [{ target: 'domain', version: 1 }]);

  const wages = ['工资', '我们公司老板拖欠工资快半年了，工人们都没钱回家过年。'] as const;
  const unmapped = await triaged(...wages);
  assert.deepEqual([unmapped.domain_code, unmapped.triage!.domain!.label], [null, '劳动纠纷']);

  const add = await call('POST', '/triage/label-map', { body: { target: 'domain', label: '劳动纠纷', code: 'labor' } });
  assert.equal(add.statusCode, 200, add.body);
  assert.equal((await triaged(...wages)).domain_code, 'labor');
  assert.deepEqual((await call('GET', '/triage/label-map')).json().unmapped, []);
  const audit = await lastAudit('triage.label_map.create');
  assert.deepEqual([audit?.target_id, audit?.summary], ['domain:劳动纠纷', { target: 'domain', label: '劳动纠纷', code: 'labor' }]);

  assert.equal((await call('PUT', '/triage/label-map', { body: { target: 'domain', label: '劳动纠纷', code: 'other' } })).statusCode, 200);
  assert.equal((await triaged(...wages)).domain_code, 'other');
  assert.deepEqual((await lastAudit('triage.label_map.update'))?.summary, { target: 'domain', label: '劳动纠纷', code: 'other', before: 'labor' });

  assert.equal((await call('DELETE', '/triage/label-map', { query: { target: 'domain', label: '劳动纠纷' } })).statusCode, 200);
  assert.equal((await triaged(...wages)).domain_code, null);
  assert.ok(await lastAudit('triage.label_map.delete'));
  assert.equal((await call('DELETE', '/triage/label-map', { query: { target: 'domain', label: '劳动纠纷' } })).statusCode, 404);
  assert.equal((await call('PUT', '/triage/label-map', { body: { target: 'domain', label: '劳动纠纷', code: 'labor' } })).statusCode, 404);

  const cases: [object, string][] = [
    [{ target: 'domain', label: '劳动纠纷', code: 'nope' }, 'code'],
    [{ target: 'domain', label: '   ', code: 'labor' }, 'label'],
    [{ target: 'domain', label: 'labor', code: 'labor' }, 'label'],
    [{ target: 'kind', label: '来电咨询', code: 'labor' }, 'code'],
    [{ label: '劳动纠纷', code: 'labor' }, 'target'],
  ];
  for (const [body, field] of cases) {
    const r = await call('POST', '/triage/label-map', { body });
    assert.equal(r.statusCode, 400, `${JSON.stringify(body)}: ${r.body}`);
    assert.equal(r.json().details[0].field, field, r.body);
  }
  const dup = await call('POST', '/triage/label-map', { body: { target: 'domain', label: '环境保护', code: 'labor' } });
  assert.equal(dup.statusCode, 409);
  assert.match(dup.json().message, /已有映射/);
  assert.equal((await call('GET', '/triage/label-map', { cookie: dispatcher })).statusCode, 403);
  assert.equal((await call('POST', '/triage/label-map', { body: { target: 'domain', label: '劳动纠纷', code: 'labor' }, cookie: dispatcher })).statusCode, 403);
  assert.equal((await call('PUT', '/triage/label-map', { body: { target: 'domain', label: '环境保护', code: 'labor' }, cookie: dispatcher })).statusCode, 403);
  assert.equal((await call('DELETE', '/triage/label-map', { query: { target: 'domain', label: '环境保护' }, cookie: dispatcher })).statusCode, 403);
});

test('user dictionary: a word added segments whole at once, another instance\'s change is picked up before its next triage; reindex is a job', async () => {
  const text = '澛港大市场有商户占道经营';
  assert.ok(!segment(text).includes('澛港大市场'));
  const add = await call('POST', '/triage/user-words', { body: { words: ['澛港大市场', '鸠江区城管'], category: 'place' } });
  assert.equal(add.statusCode, 200, add.body);
  assert.deepEqual(add.json(), { added: ['澛港大市场', '鸠江区城管'], existing: [] });
  assert.ok(segment(text).includes('澛港大市场'), segment(text).join('/'));
  const audit = await lastAudit('triage.user_word.create');
  assert.deepEqual(audit?.summary, { category: 'place', words: ['澛港大市场', '鸠江区城管'] });
  assert.deepEqual((await call('POST', '/triage/user-words', { body: { words: ['澛港大市场'] } })).json(), { added: [], existing: ['澛港大市场'] });

  const listed = (await call('GET', '/triage/user-words', { query: { q: '澛港' } })).json();
  assert.equal(listed.total, 1);
  assert.deepEqual([listed.rows[0].word, listed.rows[0].category, listed.rows[0].created_by_name], ['澛港大市场', 'place', '张敏']);

  assert.equal((await call('DELETE', '/triage/user-words', { query: { word: '澛港大市场' } })).statusCode, 200);
  assert.ok(!segment(text).includes('澛港大市场'));
  assert.deepEqual((await lastAudit('triage.user_word.delete'))?.summary, { word: '澛港大市场' });
  assert.equal((await call('DELETE', '/triage/user-words', { query: { word: '澛港大市场' } })).statusCode, 404);

  // another instance adds a word: this one loads it when the triage job runs (the stamp changed), not before
  await t.ctx.db.insertInto('user_word').values({ word: '弋江区湾里', category: 'place', created_by: null }).execute();
  await sql`update user_word_stamp set stamp = 'changed elsewhere'`.execute(t.ctx.db);
  assert.ok(!segment('弋江区湾里有人占道').includes('弋江区湾里'));
  await jobHandlers(t.ctx, createServices(t.ctx))['triage.pending']!({});
  assert.ok(segment('弋江区湾里有人占道').includes('弋江区湾里'));
  assert.equal(await syncUserDictionary(t.ctx), false, 'nothing changed since: one query, no reload');

  // the city's divisions are in the dictionary without anyone adding them, and a former name given to a region is loaded
  assert.deepEqual(segment('湾沚区六郎镇有商户占道经营').slice(0, 2), ['湾沚区', '六郎镇']);
  assert.ok(!segment('老六郎镇有商户占道经营').includes('老六郎镇'));
  await sql`update region set former_names = array['老六郎镇'] where name = '六郎镇'`.execute(t.ctx.db);
  assert.equal(await syncUserDictionary(t.ctx), true);
  assert.ok(segment('老六郎镇有商户占道经营').includes('老六郎镇'));
  await sql`update region set former_names = '{}' where name = '六郎镇'`.execute(t.ctx.db);
  await syncUserDictionary(t.ctx);

  const reindex = await call('POST', '/triage/user-words/reindex');
  assert.equal(reindex.statusCode, 202, reindex.body);
  const job = await t.ctx.db.selectFrom('job').select(['kind', 'state']).where('id', '=', reindex.json().jobId).executeTakeFirstOrThrow();
  assert.equal(job.kind, 'search.reindexAll');
  assert.ok(await lastAudit('search.reindex_requested'));
  await jobHandlers(t.ctx, createServices(t.ctx))['search.reindexAll']!({});
  const stale = await t.ctx.db.selectFrom('problem').select((eb) => eb.fn.countAll<number>().as('n')).where('search_tsv', 'is', null).executeTakeFirstOrThrow();
  assert.equal(Number(stale.n), 0);

  for (const [body, field] of [[{ words: ['有 空格'] }, 'words.0'], [{ words: ['好', '澛港街道'] }, 'words.0'], [{ words: [] }, 'words'], [{ words: ['澛港街道'], category: 'x' }, 'category']] as const) {
    const r = await call('POST', '/triage/user-words', { body });
    assert.equal(r.statusCode, 400, r.body);
    assert.equal(r.json().details[0].field, field, r.body);
  }
  assert.equal((await call('GET', '/triage/user-words', { cookie: dispatcher })).statusCode, 403);
  assert.equal((await call('POST', '/triage/user-words', { body: { words: ['澛港街道'] }, cookie: dispatcher })).statusCode, 403);
  assert.equal((await call('POST', '/triage/user-words/reindex', { cookie: dispatcher })).statusCode, 403);
});

test('routing rules: the admin who maintains them can read the history with who made and retired each rule; changes are audited', async () => {
  const unit = (await t.ctx.db.selectFrom('unit').select('id').where('name', '=', '鸠江区城市管理局').executeTakeFirstOrThrow()).id;
  const created = await call('POST', '/routing-rules', { body: { domain: 'urban_mgmt', region: '340207', kind: 'complaint', unitId: unit, note: '鸠江区城管投诉' } });
  assert.equal(created.statusCode, 200, created.body);
  const id = created.json().id;
  assert.equal((await lastAudit('routing.create'))?.target_id, String(id));
  assert.equal((await call('POST', `/routing-rules/${id}/retire`)).statusCode, 200);
  assert.equal((await lastAudit('routing.retire'))?.target_id, String(id));
  const history = await call('GET', '/routing-rules');
  assert.equal(history.statusCode, 200, history.body);
  const rule = history.json().find((r: { id: number }) => r.id === id);
  assert.deepEqual(
    [rule.domain_name, rule.region_name, rule.kind_name, rule.unit_name, rule.note, rule.created_by_name, rule.retired_by_name],
    ['城市管理', '鸠江区', '投诉', '鸠江区城市管理局', '鸠江区城管投诉', '张敏', '张敏'],
  );
  const bad = await call('POST', '/routing-rules', { body: { domain: 'urban_mgmt', note: '没有单位' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().details[0].field, 'unitId');
  assert.equal((await call('POST', `/routing-rules/${id}/retire`, { cookie: dispatcher })).statusCode, 403);
});
