import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { createTestApp, login, sharedDataFile } from '../../../test/helpers.ts';
import { makeCity, makeProblem } from '../../../test/factories.ts';
import { createProblemsService } from '../problems/service.ts';
import { createSearchService } from '../search/service.ts';
import { setUserDictionary } from '../../lib/text.ts';
import { divisionNames } from './dictionary.ts';
import { hotTopics, topicTerms, type TopicDoc } from './hot-topics.ts';

const at = new Date('2026-10-10T10:00:00+08:00');
let id = 0;
const doc = (title: string, body: string, attention = 0): TopicDoc => ({ id: ++id, title, body, at, attention });

test('related problems cluster under their key phrases, ranked by volume, growth and attention', () => {
  const period = [
    ...Array.from({ length: 6 }, (_, i) => doc(`幸福里小区停车收费太高 ${i}`, `幸福里小区物业擅自提高停车收费，每月涨到三百元，业主不同意。`, i)),
    ...Array.from({ length: 4 }, (_, i) => doc(`夜市烧烤油烟扰民 ${i}`, `湖滨路夜市烧烤摊油烟很大，深夜还在营业，油烟熏得窗户都黑了。`, 50)),
    doc('路灯不亮', '解放路路灯坏了一个月。'),
    doc('学校门口拥堵', '实验小学门口早上接送孩子的车辆堵塞。'),
    doc('公交线路调整', '希望增加公交线路。'),
  ];
  const previous = [doc('幸福里小区停车收费', '幸福里小区物业擅自提高停车收费，业主都有意见。'), doc('井盖缺失', '建设路井盖丢了。')];
  const topics = hotTopics(period, previous, { minSize: 3 });
  assert.equal(topics.length, 2, JSON.stringify(topics.map((t) => t.label)));
  const parking = topics.find((t) => t.problemIds.includes(period[0]!.id))!;
  const smoke = topics.find((t) => t.problemIds.includes(period[6]!.id))!;
  assert.ok(parking && smoke && parking !== smoke, JSON.stringify(topics.map((t) => t.label)));
  assert.ok(parking.terms.every((w) => `${period[0]!.title}${period[0]!.body}`.includes(w)) && smoke.terms.every((w) => `${period[6]!.title}${period[6]!.body}`.includes(w)), 'named by words its problems share');
  assert.equal(parking.count, 6);
  assert.equal(smoke.count, 4);
  assert.equal(parking.previous, 1);
  assert.equal(parking.growth, 5);
  assert.equal(smoke.growth, null, 'new this period');
  assert.equal(smoke.attention, 200);
  assert.equal(new Set([...parking.problemIds, ...smoke.problemIds]).size, 10, 'a problem joins one topic');
  assert.ok(topics[0]!.score >= topics[1]!.score);
  assert.deepEqual(hotTopics(period, previous, { minSize: 7 }), [], 'below the minimum size nothing is a topic');
});

test('the city\'s divisions are where a report is, not a topic: 峨桥 and 湾沚区六郎镇 name none, pieces of them neither', () => {
  const regions = [{ name: '湾沚区', former_names: ['芜湖县'] }, { name: '六郎镇', former_names: [] }, { name: '峨桥镇', former_names: [] }, { name: '弋江区', former_names: [] }];
  const period = [
    ...Array.from({ length: 5 }, (_, i) => doc(`湾沚区六郎镇反映 ${i}`, `湾沚区六郎镇一家饭店后厨油烟直排，附近居民反映很久了。`)),
    ...Array.from({ length: 4 }, (_, i) => doc(`峨桥那边的事 ${i}`, `峨桥附近的家人说弋江区那边有人夜里偷倒建筑垃圾。`)),
  ];
  const names = (topics: ReturnType<typeof hotTopics>) => topics.flatMap((t) => t.terms);
  setUserDictionary([], divisionNames(regions));
  try {
    const terms = names(hotTopics(period, [], { minSize: 3 }));
    assert.ok(terms.includes('油烟'), terms.join(','));
    const words = [...new Set(period.flatMap((d) => topicTerms(d)))];
    for (const place of ['湾沚', '六郎', '峨桥', '区六郎', '湾沚区', '六郎镇', '弋江', '家人']) assert.ok(!terms.includes(place) && !words.includes(place), `${place} in ${words.join(',')}`);
  } finally {
    setUserDictionary([]);
  }
});

test('real messages: repeated messages land in the same topic, and topics are named by words their problems share', (t) => {
  const file = sharedDataFile('teddy2020/hotspot.jsonl');
  if (!file.path) return t.skip(file.skip || undefined);
  const rows = fs.readFileSync(file.path, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string; title: string; body: string; time: string; likes: number; dislikes: number });
  const docs: TopicDoc[] = rows.map((r, i) => ({ id: i + 1, title: r.title, body: r.body, at: new Date(r.time.replace(' ', 'T') + '+08:00'), attention: (r.likes ?? 0) + (r.dislikes ?? 0) }));
  const started = performance.now();
  const topics = hotTopics(docs, [], { minSize: 5, limit: 30, maxTermShare: 0.05 });
  const ms = performance.now() - started;
  const topicOf = new Map<number, number>();
  topics.forEach((tp, i) => tp.problemIds.forEach((pid) => topicOf.set(pid, i)));
  // messages with the same body (the file holds about a hundred repeats)
  const byBody = new Map<string, number[]>();
  for (const d of docs) if (d.body.length > 30) byBody.set(d.body, [...(byBody.get(d.body) ?? []), d.id]);
  const groups = [...byBody.values()].filter((ids) => ids.length > 1 && ids.some((x) => topicOf.has(x)));
  const together = groups.filter((ids) => new Set(ids.map((x) => topicOf.get(x))).size === 1).length;
  t.diagnostic(`${topics.length} topics in ${ms.toFixed(0)} ms; top: ${topics.slice(0, 5).map((x) => `${x.label}(${x.count})`).join(' ')}; repeated groups in one topic: ${together}/${groups.length}`);
  assert.ok(topics.length >= 10);
  assert.ok(groups.length >= 5);
  assert.ok(together / groups.length >= 0.9, `${together}/${groups.length}`);
  for (const tp of topics) {
    for (const pid of tp.problemIds) {
      const d = docs[pid - 1]!;
      assert.ok(`${d.title}${d.body}`.includes(tp.terms[0]!), `${tp.label} ∌ ${d.title}`);
    }
  }
});

test('the hot-topics API answers for the reader\'s region with the attention channels carry', async () => {
  const t = await createTestApp();
  try {
    const city = await makeCity(t.ctx);
    for (let i = 0; i < 4; i++) await makeProblem(t.ctx, { title: `滨江花园油烟扰民${i}`, content: `滨江花园楼下烧烤店油烟直排，住户窗户全是油烟，第${i}次反映。` });
    await makeProblem(t.ctx, { title: '路灯', content: '解放路路灯坏了一个月没人修。' });
    const cookie = await login(t.app, city.admin.username, city.admin.password);
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await t.app.inject({ method: 'GET', url: `/api/triage/hot-topics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, headers: { cookie } });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.problems, 5);
    assert.equal(body.topics[0].count, 4);
    assert.ok(body.topics[0].terms.some((w: string) => ['滨江', '花园', '滨江花园', '油烟', '烧烤店'].includes(w)), body.topics[0].label);
    // the search indexer stores each problem's topic words; the answer from them is the same as from the texts
    const search = createSearchService(t.ctx, createProblemsService(t.ctx));
    assert.equal(await search.indexPending(), 5);
    const stored = await t.ctx.db.selectFrom('problem').select('topic_terms').orderBy('id').execute();
    assert.ok(stored.every((r) => Array.isArray(r.topic_terms)) && stored.some((r) => r.topic_terms!.includes('油烟')), JSON.stringify(stored));
    const again = await t.app.inject({ method: 'GET', url: `/api/triage/hot-topics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, headers: { cookie } });
    assert.deepEqual(again.json().topics, body.topics);
    // problems indexed before topic words were stored get them from the backfill
    await t.ctx.db.updateTable('problem').set({ topic_terms: null }).execute();
    assert.equal(await search.backfillTopicTerms(), 5);
    assert.deepEqual((await t.ctx.db.selectFrom('problem').select('topic_terms').orderBy('id').execute()).map((r) => r.topic_terms), stored.map((r) => r.topic_terms));
    const bad = await t.app.inject({ method: 'GET', url: `/api/triage/hot-topics?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`, headers: { cookie } });
    assert.equal(bad.statusCode, 400);
    const handler = await login(t.app, city.handlerA.username, city.handlerA.password);
    const none = await t.app.inject({ method: 'GET', url: `/api/triage/hot-topics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, headers: { cookie: handler } });
    assert.equal(none.json().problems, 0, 'a department sees no region');
  } finally {
    await t.close();
  }
});
