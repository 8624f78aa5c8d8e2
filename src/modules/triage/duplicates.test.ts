import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestApp, login, type TestApp } from '../../../test/helpers.ts';
import { sm3Hex } from '../../lib/crypto.ts';
import { createAttachmentsService } from '../attachments/service.ts';
import { SYSTEM_ACTOR } from '../auth/access.ts';
import { ADAPTERS } from '../intake/adapters.ts';
import { jsonArray } from '../intake/files.ts';
import { ingest } from '../intake/pipeline.ts';
import { seedDemoCity } from '../seed/service.ts';
import { DEMO_PASSWORD } from '../seed/wuhu.ts';
import { minhash, similarity } from './minhash.ts';
import { createTriageService } from './service.ts';

test('MinHash: the same text is 1, a small edit stays high, another matter is low, a few characters say nothing', () => {
  const a = '鸠江区湾里街道一家药店无处方销售抗生素，店员称不用登记，请市场监管部门查处。';
  assert.equal(similarity(minhash(a)!, minhash(a)!), 1);
  assert.ok(similarity(minhash(a)!, minhash(`您好，${a}谢谢。`)!) > 0.7);
  assert.ok(similarity(minhash(a)!, minhash('弋江区白马街道工地夜间施工噪音很大，影响居民休息，希望环保部门处理。')!) < 0.2);
  assert.equal(minhash('太吵了'), null);
});

let t: TestApp;
let dispatcher: string;
before(async () => {
  t = await createTestApp();
  await seedDemoCity(t.ctx);
  dispatcher = await login(t.app, 'dispatcher', DEMO_PASSWORD);
});
after(() => t.close());

const push = (channel: string, rows: Record<string, unknown>[]) => ingest(t.ctx, { adapter: ADAPTERS[channel]!, origin: 'api', actor: SYSTEM_ACTOR, headers: null, rows: jsonArray(rows) });
const problemOf = (externalId: string) =>
  t.ctx.db.selectFrom('problem_source').innerJoin('problem', 'problem.id', 'problem_source.problem_id').select(['problem.id', 'problem.status', 'problem.merged_into', 'problem.source_count', 'problem.triage']).where('problem_source.external_id', '=', externalId).executeTakeFirstOrThrow();

test('the same matter through 12345 and 人民网 becomes one problem with two sources; splitting it restores both', async () => {
  const text = '鸠江区湾里街道长江路一家药店无处方销售抗生素，店员说不用登记，希望市场监管部门尽快查处。';
  await push('hotline12345', [{ 工单编号: 'DUP-1', 受理时间: '2026-03-02 09:00', 诉求内容: text, 事发地址: '鸠江区湾里街道长江路' }]);
  await push('people_board', [{ tid: 'DUP-2', subject: '药店违规卖抗生素', content: `领导您好，${text}`, dateline: 1772503200, typeName: '投诉/求助', from: ' 安徽省 芜湖市 鸠江区湾里街道' }]);
  // another matter in another district, with the same wording pattern: listed at most, never merged
  await push('wanshitong', [{ orderId: 'DUP-3', submitTime: '2026-03-03T10:00:00+08:00', content: '南陵县籍山镇一家超市销售过期牛奶，店员拒绝退换，希望市场监管部门尽快查处。', location: { address: '南陵县籍山镇' } }]);
  await createTriageService(t.ctx).triagePending(100);

  const first = await problemOf('DUP-1');
  const second = await problemOf('DUP-2');
  assert.equal(second.id, first.id, 'both sources now belong to the first problem');
  assert.equal(first.source_count, 2);
  const other = await problemOf('DUP-3');
  assert.notEqual(other.id, first.id);
  const merged = await t.ctx.db.selectFrom('problem').select(['id', 'status', 'merged_into']).where('merged_into', '=', first.id).executeTakeFirstOrThrow();
  assert.equal(merged.status, 'merged');
  // the list and the queue show the matter once
  const list = (await t.app.inject({ url: '/api/problems?q=抗生素', headers: { cookie: dispatcher } })).json();
  assert.equal(list.total, 1);
  const detail = (await t.app.inject({ url: `/api/problems/${first.id}`, headers: { cookie: dispatcher } })).json();
  assert.deepEqual(detail.sources.map((s: { channel: string }) => s.channel).sort(), ['hotline12345', 'people_board']);
  assert.equal(detail.merges.length, 1);

  const split = await t.app.inject({ method: 'POST', url: `/api/problems/${first.id}/merges/${detail.merges[0].id}/split`, headers: { cookie: dispatcher } });
  assert.equal(split.statusCode, 200, split.body);
  assert.equal(split.json().restored, merged.id);
  const back = await problemOf('DUP-2');
  assert.deepEqual([back.id, back.status, back.merged_into, back.source_count], [merged.id, 'new', null, 1]);
  assert.equal((await problemOf('DUP-1')).source_count, 1);
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/problems/${first.id}/merges/${detail.merges[0].id}/split`, headers: { cookie: dispatcher } })).statusCode, 409);
  const audit = await t.ctx.db.selectFrom('audit_log').select('action').where('action', 'in', ['problem.merge', 'problem.split']).orderBy('id').execute();
  assert.deepEqual(audit.map((a) => a.action), ['problem.merge', 'problem.split']);
});

test('a split takes back the versions of a merged record that arrived after the merge, and later versions follow them', async () => {
  const text = '镜湖区范罗山街道一家棋牌室深夜聚众赌博，噪音扰民，多次反映无人处理，请公安部门依法查处。';
  const record = (state: string) => ({ 工单编号: 'SYN1-1', 受理时间: '2026-05-02 10:00', 诉求内容: `您好，${text}`, 事发地址: '镜湖区范罗山街道', 办理状态: state });
  await push('hotline12345', [{ 工单编号: 'SYN1-0', 受理时间: '2026-05-02 09:00', 诉求内容: text, 事发地址: '镜湖区范罗山街道' }]);
  await push('hotline12345', [record('待办理')]);
  await createTriageService(t.ctx).triagePending(100);
  const into = await problemOf('SYN1-0');
  assert.equal((await problemOf('SYN1-1')).id, into.id, 'merged');
  const from = await t.ctx.db.selectFrom('problem').select('id').where('merged_into', '=', into.id).executeTakeFirstOrThrow();

  // a changed version of the merged record joins the problem that holds it now
  await push('hotline12345', [record('办理中')]);
  const versions = () => t.ctx.db.selectFrom('problem_source').select(['version', 'problem_id', 'link_reason']).where('external_id', '=', 'SYN1-1').orderBy('version').execute();
  assert.deepEqual((await versions()).map((v) => v.problem_id), [into.id, into.id]);

  const mergeId = (await t.ctx.db.selectFrom('problem_merge').select('id').where('from_problem_id', '=', from.id).executeTakeFirstOrThrow()).id;
  const split = await t.app.inject({ method: 'POST', url: `/api/problems/${into.id}/merges/${mergeId}/split`, headers: { cookie: dispatcher } });
  assert.equal(split.statusCode, 200, split.body);
  assert.deepEqual((await versions()).map((v) => [v.version, v.problem_id, v.link_reason]), [[1, from.id, 'origin'], [2, from.id, 'version']], 'the whole history goes back');
  assert.equal((await problemOf('SYN1-0')).source_count, 1);
  assert.equal((await problemOf('SYN1-1')).source_count, 2);

  await push('hotline12345', [record('已办结')]);
  assert.deepEqual((await versions()).map((v) => v.problem_id), [from.id, from.id, from.id]);
  assert.equal((await problemOf('SYN1-1')).source_count, 3);
});

test('outside the time window the same text is not merged', async () => {
  const text = '繁昌区荻港镇码头附近有人夜间非法采砂，江岸被掏空，存在很大的安全隐患，请尽快处理。';
  await push('hotline12345', [{ 工单编号: 'WIN-1', 受理时间: '2026-01-05 09:00', 诉求内容: text, 事发地址: '繁昌区荻港镇' }]);
  await push('hotline12345', [{ 工单编号: 'WIN-2', 受理时间: '2026-03-05 09:00', 诉求内容: text, 事发地址: '繁昌区荻港镇' }]);
  await createTriageService(t.ctx).triagePending(100);
  assert.notEqual((await problemOf('WIN-1')).id, (await problemOf('WIN-2')).id);
});

test('the same words about two places are two matters: listed as a possible duplicate, not merged', async () => {
  const ask = (district: string) => `请问${district}的社区卫生服务中心周末能不能给孩子接种疫苗，需要提前在网上预约吗？`;
  await push('hotline12345', [
    { 工单编号: 'PLACE-1', 受理时间: '2026-04-01 09:00', 诉求内容: ask('镜湖区'), 所属区县: '镜湖区' },
    { 工单编号: 'PLACE-2', 受理时间: '2026-04-01 10:00', 诉求内容: ask('弋江区'), 所属区县: '弋江区' },
    // the district's own report and one naming no place: the same matter, merged
    { 工单编号: 'PLACE-3', 受理时间: '2026-04-01 11:00', 诉求内容: ask('镜湖区') },
  ]);
  await createTriageService(t.ctx).triagePending(100);
  const [jinghu, yijiang, unplaced] = [await problemOf('PLACE-1'), await problemOf('PLACE-2'), await problemOf('PLACE-3')];
  assert.notEqual(yijiang.id, jinghu.id);
  assert.equal((yijiang.triage as { duplicates: { id: number; merged: boolean }[] }).duplicates[0]?.id, jinghu.id, 'listed for a person to judge');
  assert.equal(unplaced.id, jinghu.id);
});

test('a problem already dispatched when triage reaches it is never merged away: the repeat is only listed', async () => {
  const text = '弋江区马塘街道一家洗车店长期占用人行道洗车，污水横流，行人只能走机动车道，请城管部门处理。';
  await push('hotline12345', [{ 工单编号: 'SENT-1', 受理时间: '2026-05-06 09:00', 诉求内容: text, 事发地址: '弋江区马塘街道' }]);
  await createTriageService(t.ctx).triagePending(100);
  await push('hotline12345', [{ 工单编号: 'SENT-2', 受理时间: '2026-05-06 10:00', 诉求内容: text, 事发地址: '弋江区马塘街道' }]);
  const second = await problemOf('SENT-2');
  const unit = await t.ctx.db.selectFrom('unit').select('id').where('name', '=', '弋江区城市管理局').executeTakeFirstOrThrow();
  const sent = await t.app.inject({ method: 'POST', url: `/api/problems/${second.id}/dispatch`, headers: { cookie: dispatcher }, payload: { unitId: unit.id } });
  assert.equal(sent.statusCode, 200, sent.body);
  await createTriageService(t.ctx).triagePending(100);
  const after = await problemOf('SENT-2');
  assert.equal(after.status, 'dispatched', 'its work order goes on');
  assert.equal(after.merged_into, null);
  const listed = (after.triage as { duplicates: { id: number; merged: boolean }[] }).duplicates[0];
  assert.deepEqual(listed, { ...listed, id: (await problemOf('SENT-1')).id, merged: false });
});

test('a merged report brings its files and its 保密 along to the problem it joins', async () => {
  const text = '繁昌区孙村镇一家小作坊用地沟油炸油条，卫生条件很差，希望市场监管部门尽快查处。';
  await push('web_form', [{ submissionId: 'KEEP-1', submittedAt: '2026-04-02T09:00:00+08:00', content: text, address: '繁昌区孙村镇' }]);
  await push('web_form', [{ submissionId: 'KEEP-2', submittedAt: '2026-04-02T10:00:00+08:00', content: text, address: '繁昌区孙村镇', contactName: '李四光', contactPhone: '13900002222', confidential: true }]);
  const second = await problemOf('KEEP-2');
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
  await createAttachmentsService(t.ctx).addPushed(SYSTEM_ACTOR, second.id, [{ name: '油锅.png', type: 'image/png', data: png, digest: sm3Hex(png) }]);
  await createTriageService(t.ctx).triagePending(100);
  const first = await problemOf('KEEP-1');
  assert.equal((await problemOf('KEEP-2')).id, first.id, 'merged');
  const detail = (await t.app.inject({ url: `/api/problems/${first.id}`, headers: { cookie: dispatcher } })).json();
  assert.equal(detail.confidential, true);
  assert.equal(detail.reporter_name_mask, '（保密）');
  const file = detail.attachments.find((a: { file_name: string }) => a.file_name === '油锅.png');
  assert.ok(file, JSON.stringify(detail.attachments));
  const download = await t.app.inject({ url: `/api/problems/${first.id}/attachments/${file.id}`, headers: { cookie: dispatcher } });
  assert.equal(download.statusCode, 200);
  assert.deepEqual(download.rawPayload, png);
});
